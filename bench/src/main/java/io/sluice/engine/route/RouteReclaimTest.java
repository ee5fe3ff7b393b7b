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
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * Quiescent-state reclamation: the writer removes 0.0.1.128/25 (its group, the table's only one, is folded
 * and retired) and at once adds 0.0.2.128/25 (9), which needs a group. The registered reader looks up
 * 0.0.1.200, reports a quiescent state, and looks it up again.
 *
 * <p>The add may reuse the group only once the reader has reported an epoch at least as new as the
 * retirement, and then the reader's first lookup is ordered before the reuse (release/acquire on the reader's
 * slot) and its second after the unlink (acquire of the epoch). So 9 is never seen, and an add that succeeded
 * implies a second lookup that saw the /25 gone.
 */
@JCStressTest
@Description("A retired tbl8 group is reused only after the reader's quiescent state, never under its feet.")
@Outcome(id = {"2, 2, -2", "2, 1, -2", "1, 1, -2"}, expect = ACCEPTABLE,
    desc = "The add found no free group: the reader had not reported since the retirement.")
@Outcome(id = {"2, 1, 0", "1, 1, 0"}, expect = ACCEPTABLE_INTERESTING,
    desc = "The group was reused after the reader's quiescent state; the second lookup sees the /16.")
@Outcome(id = "2, 2, 0", expect = FORBIDDEN,
    desc = "The group was reused although the reader's lookup after its quiescent state still reached it.")
@Outcome(id = ".*9.*", expect = FORBIDDEN, desc = "STALE: the reader read the group after it was reused.")
@Outcome(id = "1, 2, .*", expect = FORBIDDEN, desc = "The removed route came back: coherence broken.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class RouteReclaimTest {
    private static final int ADDRESS = Ipv4Address.parse("0.0.1.200");

    final RouteTable table = new RouteTable(new RouteTableConfig().tbl8Groups(1).nextHops(16).readers(1), 256);
    final RouteReader reader = table.registerReader("jcstress");

    public RouteReclaimTest() {
        table.add(Ipv4Address.parse("0.0.0.0"), 16, 1);
        table.add(Ipv4Address.parse("0.0.1.128"), 25, 2);
    }

    @Actor
    public void writer(III_Result r) {
        table.remove(Ipv4Address.parse("0.0.1.128"), 25);
        r.r3 = table.add(Ipv4Address.parse("0.0.2.128"), 25, 9);
    }

    @Actor
    public void reader(III_Result r) {
        r.r1 = table.lookup(ADDRESS);
        reader.quiescent();
        r.r2 = table.lookup(ADDRESS);
    }
}
