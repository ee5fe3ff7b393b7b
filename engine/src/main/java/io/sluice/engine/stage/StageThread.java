package io.sluice.engine.stage;

import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import java.lang.System.Logger.Level;
import java.util.BitSet;
import java.util.List;
import net.openhft.affinity.Affinity;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;

/**
 * The agent that one thread runs: its stages in order (one stage, or several fused to run to completion),
 * its command queue, its CPU pinning, and its {@link Pbufs}, which it binds to each stage on start and
 * closes after every stage has released its packets.
 */
final class StageThread implements Agent {
    private static final System.Logger LOG = System.getLogger(StageThread.class.getName());
    private static final int COMMANDS_PER_LOOP = 8;

    private final String name;
    private final Stage[] stages;
    private final int[] owners;
    private final PbufPool pool;
    private final int cpu;
    private final String realtime;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(256);
    private volatile String pinning = "not pinned";
    private volatile String scheduling = "normal scheduling";
    private Pbufs p;

    StageThread(String name, List<Stage> stages, PbufPool pool, int cpu, String realtime) {
        this.name = name;
        this.stages = stages.toArray(new Stage[0]);
        this.pool = pool;
        this.cpu = cpu;
        this.realtime = realtime;
        this.owners = new int[this.stages.length];
        for (int i = 0; i < owners.length; i++) {
            owners[i] = pool.registerOwner(this.stages[i].name);
        }
    }

    @Override
    public void onStart() {
        if (cpu >= 0) {
            pin();
        }
        scheduling = RealtimeScheduling.apply(realtime);
        if (scheduling.contains("refused") || scheduling.contains("unavailable")) {
            LOG.log(Level.WARNING, "thread {0}: {1}", name, scheduling);
        }
        p = pool.local();
        for (Stage s : stages) {
            s.bind(p);
        }
    }

    private void pin() {
        try {
            Affinity.setAffinity(cpu);
            BitSet now = Affinity.getAffinity();
            if (now.cardinality() == 1 && now.get(cpu)) {
                pinning = "pinned to cpu " + cpu;
            } else {
                pinning = "pinning to cpu " + cpu + " did not take (affinity " + now + ")";
                LOG.log(Level.WARNING, "thread {0}: {1}; running unpinned", name, pinning);
            }
        } catch (RuntimeException | LinkageError e) {
            pinning = "pinning to cpu " + cpu + " failed: " + e;
            LOG.log(Level.WARNING, "thread {0}: {1}; running unpinned", name, pinning);
        }
    }

    @Override
    public int doWork() {
        int work = commands.isEmpty() ? 0 : commands.drain(Runnable::run, COMMANDS_PER_LOOP);
        for (int i = 0; i < stages.length; i++) {
            p.owner(owners[i]);
            work += stages[i].doWork();
        }
        return work;
    }

    @Override
    public void onClose() {
        if (p == null) {
            return; // never started
        }
        for (Stage s : stages) {
            s.release();
        }
        p.close();
    }

    /** Queues a command for this thread; false when the queue is full. */
    boolean offer(Runnable command) {
        return commands.offer(command);
    }

    /** Where the thread runs and how it is scheduled: "pinned to cpu 0, SCHED_RR priority 1". */
    String pinning() {
        return "normal scheduling".equals(scheduling) ? pinning : pinning + ", " + scheduling;
    }

    @Override
    public String roleName() {
        return name;
    }
}
