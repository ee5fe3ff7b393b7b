package io.sluice.engine.stage;

import io.sluice.config.ConfigException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which stages share a thread, and the CPU each thread is pinned to.
 *
 * <p>Written as groups separated by {@code |}, stages in a group joined by {@code +}, and an optional
 * {@code @cpu} after a group: {@code "rx+ip+tx"} fuses everything on one thread (run to completion),
 * {@code "rx@1 | ip+tx@0"} puts the driver on CPU 1 and the rest on CPU 0. Two shorthands:
 * {@code fused} (all stages on one thread) and {@code per-stage} (each stage on its own thread). {@code rx}
 * names every receive stage and {@code tx} the transmit stage.
 */
public final class ThreadLayout {
    public static final String FUSED = "fused";
    public static final String PER_STAGE = "per-stage";

    /** One thread: its stages and its CPU, -1 for no pinning. */
    public record Group(List<String> stages, int cpu) {
        public String threadName() {
            return "sluice-" + String.join("+", stages);
        }
    }

    private final String spec;
    private final List<Group> groups;

    private ThreadLayout(String spec, List<Group> groups) {
        this.spec = spec;
        this.groups = List.copyOf(groups);
    }

    /**
     * Parses a layout and checks it against the pipeline's stages: each stage exactly once.
     *
     * @throws ConfigException naming the unknown, missing or repeated stage, or the bad CPU
     */
    public static ThreadLayout parse(String spec, List<String> stageNames) {
        String s = spec == null ? "" : spec.trim();
        if (s.equals(FUSED)) {
            return new ThreadLayout(s, List.of(new Group(List.copyOf(stageNames), -1)));
        }
        if (s.equals(PER_STAGE)) {
            List<Group> g = new ArrayList<>();
            for (String n : stageNames) {
                g.add(new Group(List.of(n), -1));
            }
            return new ThreadLayout(s, g);
        }
        List<Group> groups = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String part : s.split("\\|")) {
            String group = part.trim();
            int cpu = -1;
            int at = group.indexOf('@');
            if (at >= 0) {
                String c = group.substring(at + 1).trim();
                try {
                    cpu = Integer.parseInt(c);
                } catch (NumberFormatException e) {
                    throw new ConfigException("thread layout \"" + spec + "\": cpu \"" + c + "\" is not a number");
                }
                if (cpu < 0) {
                    throw new ConfigException("thread layout \"" + spec + "\": cpu " + cpu + " is negative");
                }
                group = group.substring(0, at).trim();
            }
            List<String> members = new ArrayList<>();
            for (String m : group.split("\\+")) {
                String name = m.trim();
                if (name.isEmpty()) {
                    throw new ConfigException("thread layout \"" + spec + "\": empty stage name");
                }
                if (!stageNames.contains(name)) {
                    throw new ConfigException("thread layout \"" + spec + "\": unknown stage \"" + name
                        + "\"; the stages are " + stageNames);
                }
                if (!seen.add(name)) {
                    throw new ConfigException("thread layout \"" + spec + "\": stage \"" + name + "\" appears twice");
                }
                members.add(name);
            }
            groups.add(new Group(members, cpu));
        }
        for (String n : stageNames) {
            if (!seen.contains(n)) {
                throw new ConfigException("thread layout \"" + spec + "\": stage \"" + n + "\" has no thread");
            }
        }
        return new ThreadLayout(s, groups);
    }

    public List<Group> groups() {
        return groups;
    }

    @Override
    public String toString() {
        return spec;
    }
}
