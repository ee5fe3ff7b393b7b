package io.sluice.engine.route;

/** Receives the routes of a {@link RouteTable}, one call per route (see {@link RouteTable#forEach}). */
@FunctionalInterface
public interface RouteVisitor {
    /**
     * @param prefix the network address, host bits clear
     * @param length the prefix length, 0..32
     * @param nextHop the next-hop id
     */
    void route(int prefix, int length, int nextHop);
}
