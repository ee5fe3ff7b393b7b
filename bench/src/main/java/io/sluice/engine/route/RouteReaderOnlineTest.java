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
 * A reader coming back online races the writer's reclamation: the store-buffering (Dekker) case. The reader
 * is offline; it goes online and looks up 0.0.1.200. The writer removes 0.0.1.128/25 (retiring the only
 * group) and adds 0.0.2.128/25 (9), which needs a group.
 *
 * <p>{@code online()} stores the reader's epoch and then runs a full fence; the writer runs a full fence
 * between its unlink and its reading of the readers' slots. So either the writer sees the reader online at
 * an old epoch (and refuses the add), or the reader's lookup sees the unlink (the /16, 1). Without the fences
 * both could miss each other: the writer would reuse the group the reader is about to read ("2, 0" or a 9).
 */
@JCStressTest
@Description("online() and the writer's reclaim scan cannot miss each other (store-buffering with fences).")
@Outcome(id = {"2, -2", "1, -2"}, expect = ACCEPTABLE, desc = "The writer saw the reader online at an old epoch.")
@Outcome(id = "1, 0", expect = ACCEPTABLE_INTERESTING,
    desc = "The group was reused and the reader, online after the unlink, saw the /16.")
@Outcome(id = "2, 0", expect = FORBIDDEN, desc = "The reader reached the group although the writer reused it.")
@Outcome(id = "9, .*", expect = FORBIDDEN, desc = "STALE: the reader read the reused group.")
@Outcome(expect = FORBIDDEN, desc = "Anything else.")
@State
public class RouteReaderOnlineTest {
    private static final int ADDRESS = Ipv4Address.parse("0.0.1.200");

    final RouteTable table = new RouteTable(new RouteTableConfig().tbl8Groups(1).nextHops(16).readers(1), 256);
    final RouteReader reader = table.registerReader("jcstress");

    public RouteReaderOnlineTest() {
        table.add(Ipv4Address.parse("0.0.0.0"), 16, 1);
        table.add(Ipv4Address.parse("0.0.1.128"), 25, 2);
        reader.offline();
    }

    @Actor
    public void writer(II_Result r) {
        table.remove(Ipv4Address.parse("0.0.1.128"), 25);
        r.r2 = table.add(Ipv4Address.parse("0.0.2.128"), 25, 9);
    }

    @Actor
    public void reader(II_Result r) {
        reader.online();
        r.r1 = table.lookup(ADDRESS);
    }
}
