package io.sluice.engine.stage;

import io.sluice.config.ConfigException;
import io.sluice.config.PipelineConfig;
import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.pbuf.PbufPool;
import io.sluice.engine.pbuf.Pbufs;
import io.sluice.engine.phy.NicPort;
import io.sluice.engine.ring.FanIn;
import io.sluice.engine.ring.SpscRing;
import io.sluice.engine.stats.MBeans;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.management.ObjectName;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * A pipeline of stages: receive stages (one per input port) feeding, through SPSC rings, a line of processing
 * stages and a transmit stage, run on threads laid out by a {@link ThreadLayout}.
 *
 * <pre>
 *   port A --rx.0--\
 *                   FanIn -> [ip] -ring-> [transport] -ring-> ... -ring-> [tx] --> output port
 *   port B --rx.1--/
 * </pre>
 *
 * <p>{@link #close()} shuts down in order: the receive stages stop taking frames, the stages run until every
 * ring is empty and nothing is held, the threads stop (each stage frees what it still holds, each thread
 * gives back its pbuf cache), and whatever is left in rings or ports is freed. The pool is then full again.
 */
public final class Pipeline implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Pipeline.class.getName());

    private final PbufPool pool;
    private final PipelineConfig config;
    private final List<RxStage> rxStages;
    private final List<Stage> stages;
    private final List<SpscRing> rings;
    private final List<NicPort> ports;
    private final ThreadLayout layout;
    private final List<StageThread> threads = new ArrayList<>();
    private final Map<String, StageThread> threadOf = new LinkedHashMap<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    /** The JVM's threads that run real time while the pipeline does ({@link PipelineConfig#realtime()}). */
    private int[] realtimeJvmThreads = new int[0];
    private final List<Thread> runnerThreads = new ArrayList<>();
    private final List<ObjectName> mbeans = new ArrayList<>();
    private final AtomicLong errors = new AtomicLong();
    private final ErrorHandler errorHandler;
    private volatile ShutdownReport shutdown;

    private Pipeline(Builder b) {
        this.pool = b.pool;
        this.config = b.config.conclude();
        this.errorHandler = e -> {
            if (errors.getAndIncrement() < 10) {
                LOG.log(Level.ERROR, "pipeline stage error", e);
            }
        };
        BackPressure policy = BackPressure.valueOf(config.backPressure().toUpperCase());
        int batch = config.batch();
        if (b.inputs.isEmpty() || b.outputs.isEmpty()) {
            throw new ConfigException("a pipeline needs at least one input port and an output port");
        }
        this.rings = new ArrayList<>();
        this.ports = new ArrayList<>(b.inputs);
        for (NicPort out : b.outputs) {
            if (!ports.contains(out)) {
                ports.add(out);
            }
        }
        List<String> names = new ArrayList<>();
        List<Stage> all = new ArrayList<>();
        List<String> txNames = new ArrayList<>();
        for (int j = 0; j < b.outputs.size(); j++) {
            txNames.add(b.outputs.size() == 1 ? "tx" : "tx." + j);
        }
        String first = b.handlers.isEmpty() ? txNames.getFirst() : b.handlers.keySet().iterator().next();
        List<RxStage> rx = new ArrayList<>();
        SpscRing[] rxRings = new SpscRing[b.inputs.size()];
        for (int i = 0; i < b.inputs.size(); i++) {
            String name = b.inputs.size() == 1 ? "rx" : "rx." + i;
            rxRings[i] = ring(name + "->" + first);
            RxStage s = new RxStage(name, b.inputs.get(i), b.rcvifs.get(i), rxRings[i], policy, batch);
            rx.add(s);
            all.add(s);
            names.add(name);
        }
        FanIn in = new FanIn(rxRings);
        List<Map.Entry<String, Step>> steps = new ArrayList<>(b.handlers.entrySet());
        List<Stage> tx = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            String name = steps.get(i).getKey();
            Step step = steps.get(i).getValue();
            ProcessStage stage = new ProcessStage(name, in, step.processor(), step.plainHandler(), errorHandler, batch);
            if (i + 1 < steps.size() || b.outputs.size() == 1) {
                String next = i + 1 < steps.size() ? steps.get(i + 1).getKey() : txNames.getFirst();
                SpscRing out = ring(name + "->" + next);
                stage.connect(new RingOutlet(out, policy, stage.counters(), stage.outputCapacity()));
                in = new FanIn(out);
            } else {
                in = null;
                SpscRing[] txRings = new SpscRing[b.outputs.size()];
                for (int j = 0; j < txRings.length; j++) {
                    txRings[j] = ring(name + "->" + txNames.get(j));
                }
                stage.connect(new DemuxOutlet(txRings, policy, stage.counters(), stage.outputCapacity()));
                for (int j = 0; j < txRings.length; j++) {
                    tx.add(new TxStage(txNames.get(j), new FanIn(txRings[j]), b.outputs.get(j), policy, batch));
                }
            }
            all.add(stage);
            names.add(name);
        }
        if (in != null) {
            if (b.outputs.size() > 1) {
                throw new ConfigException("a pipeline with " + b.outputs.size()
                    + " output ports needs a processing stage to choose each packet's port (txif)");
            }
            tx.add(new TxStage(txNames.getFirst(), in, b.outputs.getFirst(), policy, batch));
        }
        all.addAll(tx);
        names.addAll(txNames);
        this.rxStages = List.copyOf(rx);
        this.stages = List.copyOf(all);
        this.layout = ThreadLayout.parse(expandTx(expandRx(config.layout(), rx), txNames), names);
    }

    private SpscRing ring(String name) {
        SpscRing r = new SpscRing(name, config.ringSize());
        rings.add(r);
        return r;
    }

    /** "tx" in a layout stands for every transmit stage. */
    private static String expandTx(String spec, List<String> tx) {
        if (tx.size() == 1 || spec.equals(ThreadLayout.FUSED) || spec.equals(ThreadLayout.PER_STAGE)) {
            return spec;
        }
        return spec.replaceAll("(?<![\\w.])tx(?![\\w.])", String.join("+", tx));
    }

    /** "rx" in a layout stands for every receive stage. */
    private static String expandRx(String spec, List<RxStage> rx) {
        if (rx.size() == 1 || spec.equals(ThreadLayout.FUSED) || spec.equals(ThreadLayout.PER_STAGE)) {
            return spec;
        }
        List<String> names = rx.stream().map(s -> s.name).toList();
        return spec.replaceAll("(?<![\\w.])rx(?![\\w.])", String.join("+", names));
    }

    public static Builder builder(PbufPool pool) {
        return new Builder(pool);
    }

    /** Starts one thread per layout group. */
    public synchronized Pipeline start() {
        if (!runners.isEmpty()) {
            throw new IllegalStateException("pipeline already started");
        }
        Map<String, Stage> byName = new LinkedHashMap<>();
        for (Stage s : stages) {
            byName.put(s.name, s);
        }
        for (ThreadLayout.Group g : layout.groups()) {
            List<Stage> members = g.stages().stream().map(byName::get).toList();
            StageThread t = new StageThread(g.threadName(), members, pool, g.cpu(), config.realtime());
            threads.add(t);
            for (String n : g.stages()) {
                threadOf.put(n, t);
            }
            AgentRunner runner = new AgentRunner(idleStrategy(config.idle()), errorHandler, null, t);
            runners.add(runner);
        }
        registerMBeans();
        realtimeJvmThreads = RealtimeScheduling.applyToJvmThreads(config.realtime());
        for (AgentRunner runner : runners) {
            AgentRunner.startOnThread(runner, r -> {
                Thread th = new Thread(r);
                th.setDaemon(true);
                runnerThreads.add(th);
                return th;
            });
        }
        return this;
    }

    static IdleStrategy idleStrategy(String name) {
        return switch (name) {
            case "busy" -> new BusySpinIdleStrategy();
            case "yield" -> new YieldingIdleStrategy();
            case "sleep" -> new SleepingMillisIdleStrategy(1);
            default -> new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
        };
    }

    private void registerMBeans() {
        for (SpscRing r : rings) {
            mbeans.add(MBeans.register(new PipelineViews.RingView(r), "Ring", r.name()));
        }
        for (Stage s : stages) {
            mbeans.add(MBeans.register(
                new PipelineViews.StageView(s, threadOf.get(s.name).roleName()), "Stage", s.name));
        }
        for (NicPort p : ports) {
            mbeans.add(MBeans.register(new PipelineViews.PortView(p), "Port", p.name()));
        }
    }

    /**
     * Runs {@code command} on the thread of stage {@code stageName}, between two work loops: the way to
     * change a stage's state (a route, a socket) without a lock on the data path.
     *
     * @return completes when the command has run, exceptionally if it threw or the queue was full
     */
    public CompletableFuture<Void> execute(String stageName, Consumer<Pbufs> command) {
        StageThread t = threadOf.get(stageName);
        if (t == null) {
            throw new IllegalArgumentException("no stage " + stageName + "; the stages are " + threadOf.keySet());
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean queued = t.offer(() -> {
            try {
                command.accept(pool.local());
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        });
        if (!queued) {
            done.completeExceptionally(new IllegalStateException("command queue of " + stageName + " is full"));
        }
        return done;
    }

    /** Shuts down in order (see the class comment); idempotent. */
    @Override
    public synchronized void close() {
        if (shutdown == null) {
            shutdown = shutdown();
        }
    }

    /** The result of the shutdown, or null while running. */
    public ShutdownReport shutdownReport() {
        return shutdown;
    }

    private ShutdownReport shutdown() {
        long start = System.nanoTime();
        for (RxStage s : rxStages) {
            s.stopReceiving();
        }
        boolean drained = runners.isEmpty() || awaitDrained(start + TimeUnit.MILLISECONDS.toNanos(config.drainMillis()));
        for (AgentRunner r : runners) {
            r.close();
        }
        RealtimeScheduling.restore(realtimeJvmThreads);
        long freed = 0;
        try (Pbufs p = pool.local()) {
            for (SpscRing r : rings) {
                for (int h = r.poll(PbufHandle.NULL); h != PbufHandle.NULL; h = r.poll(PbufHandle.NULL)) {
                    p.freem(h);
                    freed++;
                }
            }
            for (NicPort port : ports) {
                port.close(p);
            }
        }
        for (Stage s : stages) {
            freed += s.counters.drops(StageDrop.SHUTDOWN);
        }
        for (ObjectName on : mbeans) {
            MBeans.unregister(on);
        }
        return new ShutdownReport(drained, freed, System.nanoTime() - start);
    }

    /**
     * Waits until every ring is empty, no stage holds packets, and every thread has gone through a full work
     * loop since without moving a packet (so none was in a stage's hands).
     */
    private boolean awaitDrained(long deadline) {
        while (System.nanoTime() - deadline < 0) {
            if (quiet()) {
                long packets = packetsMoved();
                long[] loops = loops();
                while (!allAdvanced(loops) && System.nanoTime() - deadline < 0) {
                    Thread.onSpinWait();
                }
                if (quiet() && packetsMoved() == packets) {
                    return true;
                }
            }
            Thread.onSpinWait();
        }
        return false;
    }

    private boolean quiet() {
        for (SpscRing r : rings) {
            if (r.size() != 0) {
                return false;
            }
        }
        for (Stage s : stages) {
            if (!s.holdsNothing()) {
                return false;
            }
        }
        return true;
    }

    private long packetsMoved() {
        long n = 0;
        for (Stage s : stages) {
            n += s.counters.packets() + s.counters.drops();
        }
        return n;
    }

    private long[] loops() {
        long[] l = new long[stages.size()];
        for (int i = 0; i < l.length; i++) {
            StageCounters c = stages.get(i).counters;
            l[i] = c.workLoops() + c.idleLoops();
        }
        return l;
    }

    private boolean allAdvanced(long[] before) {
        for (int i = 0; i < before.length; i++) {
            StageCounters c = stages.get(i).counters;
            if (c.workLoops() + c.idleLoops() <= before[i] + 1) {
                return false;
            }
        }
        return true;
    }

    public List<Stage> stages() {
        return stages;
    }

    public List<SpscRing> rings() {
        return rings;
    }

    public List<NicPort> ports() {
        return ports;
    }

    public ThreadLayout layout() {
        return layout;
    }

    /** How each thread's pinning went, by thread name. */
    public Map<String, String> pinning() {
        Map<String, String> m = new LinkedHashMap<>();
        for (StageThread t : threads) {
            m.put(t.roleName(), t.pinning());
        }
        return m;
    }

    /** The threads running the stages, one per layout group (empty before start). */
    public List<Thread> threads() {
        return List.copyOf(runnerThreads);
    }

    /** Errors reported by stages and threads (the first few are logged). */
    public long errors() {
        return errors.get();
    }

    /**
     * How the shutdown went.
     *
     * @param drained whether every packet in flight got through before the threads stopped
     * @param freedAtShutdown packets freed because they were still in flight
     */
    public record ShutdownReport(boolean drained, long freedAtShutdown, long nanos) {
    }

    /** A processing step as the builder got it. */
    private record Step(PacketProcessor processor, boolean plainHandler) {
    }

    /** Assembles a pipeline. */
    public static final class Builder {
        private final PbufPool pool;
        private final List<NicPort> inputs = new ArrayList<>();
        private final List<Integer> rcvifs = new ArrayList<>();
        private final LinkedHashMap<String, Step> handlers = new LinkedHashMap<>();
        private final List<NicPort> outputs = new ArrayList<>();
        private PipelineConfig config = PipelineConfig.fromSystemProperties();

        private Builder(PbufPool pool) {
            this.pool = pool;
        }

        /**
         * Adds an input port; each gets its own receive stage and ring. The receive stage stamps each packet's
         * {@code rcvif} with the port's input index: 0 for the first port added, 1 for the next.
         */
        public Builder receiveFrom(NicPort port) {
            return receiveFrom(port, inputs.size());
        }

        /**
         * Adds an input port whose receive stage stamps {@code rcvif} on every packet: several inputs may share
         * one, as the receive queues of one interface do (fan-out), so that the stages after see one port.
         */
        public Builder receiveFrom(NicPort port, int rcvif) {
            if (rcvif < 0 || rcvif > 0xFF) {
                throw new ConfigException("rcvif " + rcvif + " of input " + port.name() + " is not in 0..255");
            }
            inputs.add(port);
            rcvifs.add(rcvif);
            return this;
        }

        /** Adds a processing stage after the ones already added. Names must be unique and not rx or tx. */
        public Builder stage(String name, PacketHandler handler) {
            return step(name, new Step(PacketProcessor.of(handler), true));
        }

        /**
         * Adds a processing stage that may emit packets and run timers. With several output ports, the last
         * stage sets each packet's {@code txif} ({@link Pbufs#setTxif}) to the output index it goes out of.
         */
        public Builder stage(String name, PacketProcessor processor) {
            return step(name, new Step(processor, false));
        }

        private Builder step(String name, Step step) {
            if (name.equals("tx") || name.startsWith("tx.") || name.startsWith("rx") || !name.matches("[a-z][a-z0-9_-]*")) {
                throw new ConfigException("stage name \"" + name + "\" must be lower-case letters, digits, '-' or '_', and not rx* or tx");
            }
            if (handlers.putIfAbsent(name, step) != null) {
                throw new ConfigException("stage \"" + name + "\" added twice");
            }
            return this;
        }

        /**
         * Adds an output port: the first is output 0, the next output 1, and so on (the {@code txif} a routing
         * stage sets). Each gets its own transmit stage, named {@code tx} when there is one, else {@code tx.N}.
         */
        public Builder transmitTo(NicPort port) {
            if (outputs.contains(port)) {
                throw new ConfigException("port " + port.name() + " added twice as an output");
            }
            outputs.add(port);
            return this;
        }

        public Builder config(PipelineConfig config) {
            this.config = config;
            return this;
        }

        public Pipeline build() {
            return new Pipeline(this);
        }
    }
}
