package io.sluice.engine.route;

import java.io.IOException;

/**
 * A route file that cannot be loaded: the message names the source and line, says what is wrong and quotes
 * the line. Routes from the lines before it are in the table.
 */
public final class RouteFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public RouteFileException(String message) {
        super(message);
    }
}
