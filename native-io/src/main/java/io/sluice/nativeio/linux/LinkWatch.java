package io.sluice.nativeio.linux;

import io.sluice.nativeio.ffm.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * What a packet socket's interface did since the last look: the socket's pending error (SO_ERROR, such as
 * ENETDOWN after the link went down), whether the link is up and running, and its MTU. A port polls it from
 * one thread every statistics interval; the argument buffers are preallocated, so a poll allocates nothing.
 * The link state and MTU are read by the port's other thread too, hence volatile.
 */
public final class LinkWatch {
    private final int fd;
    private final MemorySegment ifreq;
    private final MemorySegment soError;
    private final MemorySegment soErrorLen;
    private volatile boolean up;
    private volatile int mtu;

    public LinkWatch(Arena arena, int fd, InterfaceInfo info) {
        this.fd = fd;
        this.ifreq = Interfaces.ifreq(arena, info.name());
        this.soError = arena.allocate(ValueLayout.JAVA_INT);
        this.soErrorLen = arena.allocate(ValueLayout.JAVA_INT);
        this.up = info.up() && info.running();
        this.mtu = info.mtu();
    }

    /** Reads, and so clears, the socket's pending error: 0 when there is none or it cannot be read. */
    public int takeSocketError(MemorySegment errno) {
        soErrorLen.set(ValueLayout.JAVA_INT, 0, 4);
        if (Libc.getsockopt(errno, fd, Linux.SOL_SOCKET, Linux.SO_ERROR, soError, soErrorLen) != 0) {
            return 0;
        }
        return soError.get(ValueLayout.JAVA_INT, 0);
    }

    /** Re-reads the link state and the MTU; returns true when the link went up or down since the last look. */
    public boolean pollLink(MemorySegment errno) {
        int flags = Interfaces.flags(errno, fd, ifreq);
        if (flags < 0) {
            return false;
        }
        int m = Interfaces.mtu(errno, fd, ifreq);
        if (m > 0) {
            mtu = m;
        }
        boolean now = (flags & Linux.IFF_UP) != 0 && (flags & Linux.IFF_RUNNING) != 0;
        if (now == up) {
            return false;
        }
        up = now;
        return true;
    }

    /** Records an MTU learnt on another path (a transmit error made the port re-read it). */
    public void mtu(int m) {
        mtu = m;
    }

    public int mtu() {
        return mtu;
    }

    public boolean up() {
        return up;
    }
}
