package io.sluice.nativeio.linux;

import io.sluice.nativeio.ffm.Errno;
import io.sluice.nativeio.ffm.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Interface facts through the SIOCGIF* ioctls: ifindex, MAC, MTU and flags. An ioctl acts in the network
 * namespace of the socket it is issued on, so a port queries through its own socket; {@link #lookup} opens a
 * datagram socket in the calling thread's namespace.
 */
public final class Interfaces {
    private Interfaces() {
    }

    /**
     * Looks an interface up in the calling thread's network namespace.
     *
     * @throws InterfaceException when the name is invalid or no such interface exists (the message says how to
     *                            list them)
     */
    public static InterfaceInfo lookup(String name) {
        checkName(name);
        MemorySegment errno = Errno.local();
        int fd = Libc.socket(errno, Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            int e = Errno.get(errno);
            throw new InterfaceException(name, "cannot open a socket to query interface " + name + ": "
                + Errno.describe(e), e);
        }
        try {
            return query(fd, name);
        } finally {
            Libc.close(errno, fd);
        }
    }

    /** Queries {@code name} through the socket {@code fd}, in that socket's network namespace. */
    public static InterfaceInfo query(int fd, String name) {
        checkName(name);
        MemorySegment errno = Errno.local();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ifr = ifreq(arena, name);
            ioctl(errno, fd, Linux.SIOCGIFINDEX, ifr, name);
            int index = ifr.get(ValueLayout.JAVA_INT, Structs.Ifreq.IFINDEX);
            ioctl(errno, fd, Linux.SIOCGIFHWADDR, ifr, name);
            long mac = 0;
            for (int i = 0; i < 6; i++) {
                mac = mac << 8 | (ifr.get(ValueLayout.JAVA_BYTE, Structs.Ifreq.HWADDR_DATA + i) & 0xFF);
            }
            ioctl(errno, fd, Linux.SIOCGIFMTU, ifr, name);
            int mtu = ifr.get(ValueLayout.JAVA_INT, Structs.Ifreq.MTU);
            ioctl(errno, fd, Linux.SIOCGIFFLAGS, ifr, name);
            int flags = Short.toUnsignedInt(ifr.get(ValueLayout.JAVA_SHORT, Structs.Ifreq.FLAGS));
            return new InterfaceInfo(name, index, mac, mtu, flags);
        }
    }

    private static void ioctl(MemorySegment errno, int fd, long request, MemorySegment ifr, String name) {
        if (Libc.ioctl(errno, fd, request, ifr) < 0) {
            int e = Errno.get(errno);
            if (e == Errno.ENODEV) {
                throw new InterfaceException(name, "interface " + name + " does not exist" + where() + " (ENODEV): "
                    + "create it or pick another with `" + ip("link") + "`", e);
            }
            throw new InterfaceException(name, ioctlName(request) + " on interface " + name + " failed: "
                + Errno.describe(e), e);
        }
    }

    /** An {@code ifreq} holding {@code name}, for repeated ioctls without allocation. */
    public static MemorySegment ifreq(Arena arena, String name) {
        MemorySegment ifr = arena.allocate(Structs.Ifreq.LAYOUT);
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        MemorySegment.copy(b, 0, ifr, ValueLayout.JAVA_BYTE, Structs.Ifreq.NAME, b.length);
        return ifr;
    }

    /**
     * The interface flags through {@code ifr} (from {@link #ifreq}): no allocation, for periodic checks.
     *
     * @return the flags, or {@code -errno} when the ioctl failed
     */
    public static int flags(MemorySegment errno, int fd, MemorySegment ifr) {
        if (Libc.ioctl(errno, fd, Linux.SIOCGIFFLAGS, ifr) < 0) {
            return -Errno.get(errno);
        }
        return Short.toUnsignedInt(ifr.get(ValueLayout.JAVA_SHORT, Structs.Ifreq.FLAGS));
    }

    /**
     * The interface MTU through {@code ifr} (from {@link #ifreq}).
     *
     * @return the MTU, or {@code -errno} when the ioctl failed
     */
    public static int mtu(MemorySegment errno, int fd, MemorySegment ifr) {
        if (Libc.ioctl(errno, fd, Linux.SIOCGIFMTU, ifr) < 0) {
            return -Errno.get(errno);
        }
        return ifr.get(ValueLayout.JAVA_INT, Structs.Ifreq.MTU);
    }

    /**
     * @throws InterfaceException unless {@code name} is 1 to 15 bytes of UTF-8 without '/', ':' or white space
     *                            (the kernel's {@code dev_valid_name}, minus aliases)
     */
    public static void checkName(String name) {
        boolean ok = name != null && !name.isEmpty() && !name.equals(".") && !name.equals("..")
            && name.getBytes(StandardCharsets.UTF_8).length < Linux.IFNAMSIZ;
        for (int i = 0; ok && i < name.length(); i++) {
            char c = name.charAt(i);
            ok = c != '/' && c != ':' && !Character.isWhitespace(c) && c != 0;
        }
        if (!ok) {
            throw new InterfaceException(String.valueOf(name), "interface name '" + name + "' is not valid: "
                + "it takes 1 to " + (Linux.IFNAMSIZ - 1) + " bytes without '/', ':' or white space; list the "
                + "interfaces with `" + ip("link") + "`", Errno.EINVAL);
        }
    }

    /** An {@code ip} command line for the calling thread's namespace: {@code ip -n NS ARGS} after a setns. */
    public static String ip(String args) {
        String ns = NetNamespace.current();
        return ns == null ? "ip " + args : "ip -n " + ns + " " + args;
    }

    /** {@code " in network namespace NS"} after a setns, else empty. */
    public static String where() {
        String ns = NetNamespace.current();
        return ns == null ? "" : " in network namespace " + ns;
    }

    private static String ioctlName(long request) {
        if (request == Linux.SIOCGIFINDEX) {
            return "SIOCGIFINDEX";
        } else if (request == Linux.SIOCGIFHWADDR) {
            return "SIOCGIFHWADDR";
        } else if (request == Linux.SIOCGIFMTU) {
            return "SIOCGIFMTU";
        } else if (request == Linux.SIOCGIFFLAGS) {
            return "SIOCGIFFLAGS";
        }
        return "ioctl 0x" + Long.toHexString(request);
    }
}
