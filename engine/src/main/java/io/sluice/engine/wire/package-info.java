/**
 * Wire formats of the IPv4 forwarding plane: Ethernet (with 802.1Q), ARP, IPv4, ICMP and UDP headers, and
 * the Internet checksum. Representation only, as smoltcp's {@code wire} module: no state, no policy; the
 * interface layer decides what to do with what these classes read.
 *
 * <h2>Views</h2>
 * Each header class is a set of static accessors over {@code (MemorySegment segment, long offset)}, with
 * {@code *_OFFSET} constants beside an ASCII diagram of the header: {@code Ipv4Header.ttl(seg, off)},
 * {@code Ipv4Header.setTtl(seg, off, v)}. For a pbuf, {@code seg} is {@link
 * io.sluice.engine.pbuf.Pbufs#segment()} and {@code off} is {@link io.sluice.engine.pbuf.Pbufs#address(int)}
 * plus the layer offset, after {@link io.sluice.engine.pbuf.Pbufs#pullup} has made the header contiguous.
 *
 * <p>Why static accessors rather than a reusable flyweight object with {@code wrap(seg, off, len)}: they
 * allocate nothing by construction (no escape analysis needed), carry no mutable state to share between stages
 * or threads, and each call inlines to one load or store through a {@code static final} big-endian
 * {@link java.lang.foreign.ValueLayout}, which the JIT folds into a constant var handle. A flyweight
 * would add a load of its segment and base per access and a wrap per packet and layer, to buy only shorter
 * call sites.
 *
 * <h2>Checked once</h2>
 * Received bytes are untrusted. Each header has a {@code check(seg, off, available)} that runs once and
 * returns a {@link io.sluice.engine.wire.WireError}: {@code OK}, after which no getter of that header reads
 * outside the checked bytes, or the constant naming what is wrong, whose name is the drop counter's. Nothing
 * here throws on bad input; an exception means a bug in the caller (a range outside the segment or packet).
 * Emitting goes through setters and {@code write} methods that do not check: the caller has sized the pbuf,
 * and stale bytes in a reused buffer must not make a check fail (smoltcp's {@code new_unchecked}).
 *
 * <h2>Values</h2>
 * Fields are unsigned ints; IPv4 addresses are ints in network order ({@code 0x0A000001} is 10.0.0.1,
 * {@link io.sluice.engine.wire.Ipv4Address}); MAC addresses are the low 48 bits of a long
 * ({@link io.sluice.engine.wire.MacAddress}). Checksums are summed 8 bytes at a time and updated
 * incrementally per RFC 1624 ({@link io.sluice.engine.wire.Checksum}).
 */
package io.sluice.engine.wire;
