package io.sluice.nativeio.linux;

import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.Libc;
import io.sluice.nativeio.ffm.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The plain AF_PACKET socket both NIC ports stand on (the memory-mapped AF_PACKET port and the io_uring port):
 * opening it with a clear message when the privilege is missing, the interface checks every port makes, integer
 * socket options with a hint, the bind to {@code sockaddr_ll}, and the socket buffer sizes. Control path only.
 */
public final class PacketSockets {
    private PacketSockets() {
    }

    /**
     * {@code socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)} in the calling thread's network namespace: no protocol
     * yet, so no frame is queued before {@link #bind}.
     *
     * @param name the interface the socket is for (named in the message)
     * @throws InterfaceException naming CAP_NET_RAW and the fix when the process lacks it
     */
    public static int open(String name) {
        MemorySegment errno = Errno.local();
        int fd = Libc.socket(errno, Linux.AF_PACKET, Linux.SOCK_RAW | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            int e = Errno.get(errno);
            if (e == Errno.EPERM || e == Errno.EACCES) {
                throw new InterfaceException(name, "need CAP_NET_RAW to open an AF_PACKET socket on interface " + name
                    + " (" + Errno.name(e) + "): run as root, or give the JVM the capability with "
                    + "`setcap cap_net_raw,cap_net_admin+ep $JAVA_HOME/bin/java`", e);
            }
            throw new InterfaceException(name, "cannot open an AF_PACKET socket for interface " + name + ": "
                + Errno.describe(e), e);
        }
        return fd;
    }

    /** @throws InterfaceException when the interface is administratively down (the message says how to bring it up) */
    public static void checkUp(InterfaceInfo info) {
        String n = info.name();
        if (!info.up()) {
            throw new InterfaceException(n, "interface " + n + Interfaces.where() + " is down: bring it up with `"
                + Interfaces.ip("link set dev " + n + " up") + "`", Errno.ENETDOWN);
        }
    }

    /**
     * @param minMtuProp the setting that holds {@code minMtu}, named in the message
     * @throws InterfaceException when the interface MTU is below {@code minMtu}
     */
    public static void checkMinMtu(InterfaceInfo info, int minMtu, String minMtuProp) {
        String n = info.name();
        if (info.mtu() < minMtu) {
            throw new InterfaceException(n, "interface " + n + " has MTU " + info.mtu() + ", below the " + minMtu
                + " this port needs (" + minMtuProp + "=" + minMtu + "): raise it with `"
                + Interfaces.ip("link set dev " + n + " mtu 1500") + "` or lower " + minMtuProp, Errno.EMSGSIZE);
        }
    }

    /**
     * Sets an integer socket option.
     *
     * @param one  a 4-byte scratch segment
     * @param hint what to do when the kernel refuses it (ends the message)
     * @throws NativeException naming the option, the interface, the errno and the hint
     */
    public static void setInt(MemorySegment errno, int fd, int level, int option, String optionName, int value,
                              MemorySegment one, String ifname, String hint) {
        one.set(ValueLayout.JAVA_INT, 0, value);
        if (Libc.setsockopt(errno, fd, level, option, one, 4) < 0) {
            int e = Errno.get(errno);
            throw new NativeException("setsockopt(" + optionName + ") for interface " + ifname + " failed: "
                + Errno.describe(e) + ": " + hint, e);
        }
    }

    /**
     * Binds the socket to the interface. A socket that receives binds with ETH_P_ALL; a transmit-only socket binds
     * with protocol 0: no receive hook, so nothing piles up unread.
     *
     * @throws InterfaceException when the kernel refuses the bind
     */
    public static void bind(MemorySegment errno, int fd, InterfaceInfo info, boolean receive, Arena tmp) {
        MemorySegment sll = tmp.allocate(Structs.SockaddrLl.LAYOUT);
        sll.set(ValueLayout.JAVA_SHORT, Structs.SockaddrLl.FAMILY, (short) Linux.AF_PACKET);
        sll.set(ValueLayout.JAVA_SHORT, Structs.SockaddrLl.PROTOCOL,
            (short) (receive ? Linux.htons(Linux.ETH_P_ALL) : 0));
        sll.set(ValueLayout.JAVA_INT, Structs.SockaddrLl.IFINDEX, info.index());
        if (Libc.bind(errno, fd, sll, (int) sll.byteSize()) < 0) {
            int e = Errno.get(errno);
            throw new InterfaceException(info.name(), "bind to interface " + info.name() + " (ifindex " + info.index()
                + ") failed: " + Errno.describe(e), e);
        }
    }

    /**
     * Raises the socket's send buffer to {@code bytes}, best effort: SO_SNDBUFFORCE needs CAP_NET_ADMIN, and
     * SO_SNDBUF, tried next, is capped by {@code net.core.wmem_max}.
     */
    public static void sendBuffer(MemorySegment errno, int fd, MemorySegment one, long bytes) {
        one.set(ValueLayout.JAVA_INT, 0, (int) Math.min(Integer.MAX_VALUE / 2, bytes));
        if (Libc.setsockopt(errno, fd, Linux.SOL_SOCKET, Linux.SO_SNDBUFFORCE, one, 4) < 0) {
            Libc.setsockopt(errno, fd, Linux.SOL_SOCKET, Linux.SO_SNDBUF, one, 4);
        }
    }

    /**
     * Raises the socket's receive buffer to {@code bytes}, best effort: SO_RCVBUFFORCE needs CAP_NET_ADMIN, and
     * SO_RCVBUF, tried next, is capped by {@code net.core.rmem_max}.
     */
    public static void receiveBuffer(MemorySegment errno, int fd, MemorySegment one, long bytes) {
        one.set(ValueLayout.JAVA_INT, 0, (int) Math.min(Integer.MAX_VALUE / 2, bytes));
        if (Libc.setsockopt(errno, fd, Linux.SOL_SOCKET, Linux.SO_RCVBUFFORCE, one, 4) < 0) {
            Libc.setsockopt(errno, fd, Linux.SOL_SOCKET, Linux.SO_RCVBUF, one, 4);
        }
    }
}
