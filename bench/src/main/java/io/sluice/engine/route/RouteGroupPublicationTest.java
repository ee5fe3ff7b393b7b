package io.sluice.engine.route;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE_INTERESTING;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.sluice.config.RouteTableConfig;
import io.sluice.engine.wire.Ipv4Address;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * {@link RouteTable#add} of a route longer than /24 into a /24 without a group: the writer fills all 256
 * entries of a tbl8 group, then publishes it with a release store of the tbl24 entry. A reader that sees the
 * new tbl24 entry (acquire) sees the whole group: the old covering route (1) outside the new /25, the new
 * route (2) inside it.
 *
 * <p>The table's only group is dirty: the constructor used it for 0.0.9.0/24 and left it holding next hop 7
 * in all 256 entries. A reader that followed the pointer before the fill was visible would return 7.
 */
@JCStressTest
@Description("A new tbl8 group is filled before the tbl24 entry that points to it is published.")
@Outcome(id = "1, 1", expect = ACCEPTABLE, desc = "Both lookups before the add: the /16 everywhere.")
@Outcome(id = "1, 2", expect = ACCEPTABLE_INTERESTING, desc = "The second lookup sees the new /25 and the group whole.")
@Outcome(id = ".*7.*", expect = FORBIDDEN, desc = "STALE: the group was read before its fill (old contents, 7).")
@Outcome(id = ".*-1.*", expect = FORBIDDEN, desc = "No route: an entry of the group read unfilled or torn.")
@Outcome(expect = FORBIDDEN, desc = "Anything else: torn or invented values.")
@State
public class RouteGroupPublicationTest {
    private static final int COVER = Ipv4Address.parse("0.0.0.0");
    private static final int OUTSIDE = Ipv4Address.parse("0.0.1.5");
    private static final int INSIDE = Ipv4Address.parse("0.0.1.200");

    final RouteTable table = new RouteTable(new RouteTableConfig().tbl8Groups(1).nextHops(16).readers(1), 256);

    public RouteGroupPublicationTest() {
        table.add(COVER, 16, 1);
        table.add(Ipv4Address.parse("0.0.9.0"), 24, 7);
        table.add(Ipv4Address.parse("0.0.9.0"), 25, 8);
        table.remove(Ipv4Address.parse("0.0.9.0"), 25);   // the group is folded: 7 in every entry, then retired
    }

    @Actor
    public void writer() {
        table.add(Ipv4Address.parse("0.0.1.128"), 25, 2);
    }

    @Actor
    public void reader(II_Result r) {
        r.r1 = table.lookup(OUTSIDE);
        r.r2 = table.lookup(INSIDE);
    }
}
