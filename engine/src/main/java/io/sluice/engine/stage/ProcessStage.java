package io.sluice.engine.stage;

import io.sluice.engine.pbuf.PbufHandle;
import io.sluice.engine.ring.FanIn;
import org.agrona.ErrorHandler;

/**
 * A processing stage (IP, transport, socket, or any application step): takes a batch from its input rings,
 * runs its {@link PacketProcessor} on each packet and passes the survivors, and whatever the processor
 * emitted, to its outlet: the next stage's ring, or the transmit stages of several output ports.
 */
public final class ProcessStage extends Stage {
    /** Packets a processor may emit per batch beyond the batch itself (fragments, replies, released packets). */
    static final int EMIT_ROOM = 256;

    private final FanIn in;
    private final PacketProcessor processor;
    /**
     * Whether the processor is a plain {@link PacketHandler}: a packet it returns as NULL counts as a drop,
     * and it has no timers to run.
     */
    private final boolean nullIsDrop;
    private final ErrorHandler errors;
    private final Emitter emitter;
    private long nextTick;

    ProcessStage(String name, FanIn in, PacketProcessor processor, boolean nullIsDrop, ErrorHandler errors, int batch) {
        super(name, batch);
        this.in = in;
        this.processor = processor;
        this.nullIsDrop = nullIsDrop;
        this.errors = errors;
        this.emitter = new Emitter(batch + EMIT_ROOM);
    }

    /** Sets the outlet; the pipeline knows whether one ring or several transmit rings follow. */
    void connect(Outlet outlet) {
        outlet(outlet);
    }

    @Override
    int take(int[] into, int max) {
        return in.pollBurst(into, 0, max);
    }

    @Override
    int process(int[] packets, int n) {
        emitter.begin(n);
        for (int k = 0; k < n; k++) {
            int r;
            try {
                r = processor.process(p, packets[k], emitter);
            } catch (RuntimeException e) {
                // The processor broke its contract; it may have freed the packet already, so it is not
                // touched again: a leak the leak report shows is better than a double free.
                counters.drop(StageDrop.HANDLER_ERROR, 1);
                errors.onError(e);
                emitter.returned(PbufHandle.NULL);
                continue;
            }
            if (r == PbufHandle.NULL && nullIsDrop) {
                counters.drop(StageDrop.HANDLER, 1);
            }
            emitter.returned(r);
        }
        return emitter.count();
    }

    @Override
    int[] output() {
        return emitter.packets();
    }

    @Override
    int outputCapacity() {
        return emitter.capacity();
    }

    @Override
    int timers() {
        if (nullIsDrop) {
            return 0;
        }
        long now = System.nanoTime();
        if (now - nextTick < 0) {
            return 0;
        }
        nextTick = now + processor.tickNanos();
        emitter.begin(0);
        try {
            processor.tick(p, now, emitter);
        } catch (RuntimeException e) {
            errors.onError(e);
        }
        return emitter.count();
    }

    @Override
    void releaseOwn() {
        processor.release(p);
    }
}
