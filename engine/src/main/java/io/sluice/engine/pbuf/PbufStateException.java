package io.sluice.engine.pbuf;

/** A pbuf handle used wrongly: NULL, out of range, already freed, or freed and reused. Always a bug. */
public final class PbufStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public PbufStateException(String message) {
        super(message);
    }
}
