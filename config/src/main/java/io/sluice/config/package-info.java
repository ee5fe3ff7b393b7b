/**
 * Configuration: what the engine is told, with names, defaults and validation. It describes and never builds,
 * so it depends on neither the engine nor native-io.
 *
 * <ul>
 *   <li>{@link io.sluice.config.PoolConfig} and {@link io.sluice.config.PipelineConfig}: settings of one pool
 *       and one pipeline, each with a system property ({@code *_PROP}) and a default.</li>
 *   <li>{@link io.sluice.config.ForwarderConfig}: the forwarder's configuration file, with
 *       {@link io.sluice.config.PortConfig ports}, {@link io.sluice.config.RouteConfig routes},
 *       {@link io.sluice.config.NeighbourConfig static neighbours}, {@link io.sluice.config.ArpConfig ARP} and
 *       {@link io.sluice.config.IpConfig IPv4} settings. A port's backend section is passed through as
 *       {@link io.sluice.config.Setting}s that keep their {@link io.sluice.config.Origin}, for native-io to
 *       check later with the same {@code FILE:LINE: KEY} messages.</li>
 *   <li>{@link io.sluice.config.ConfigException}: every problem found, each a
 *       {@link io.sluice.config.ConfigProblem} printed as {@code FILE:LINE: KEY: MESSAGE}.</li>
 * </ul>
 *
 * <h2>Why HOCON, read with Lightbend Config</h2>
 * The file is HOCON, read with Lightbend Config ({@code com.typesafe:config}), chosen over TOML and YAML
 * parsers for these reasons:
 * <ul>
 *   <li><b>Every value keeps its origin</b>: {@code ConfigValue.origin()} gives the file and line of each value,
 *       list elements included, after includes and substitutions. That is what makes {@code FILE:LINE: KEY}
 *       messages possible for every error, including those found by comparing settings (a route whose
 *       gateway lies outside every port's subnet is reported at the route's {@code via} line). The TOML parsers
 *       for Java report a line for syntax errors, but only tomlj also keeps positions of values, and it has
 *       had no release since 2023; Jackson's TOML module keeps none.</li>
 *   <li><b>The format suits hand-written operations files</b>: comments ({@code #} and {@code //}), unquoted
 *       names, nested sections or dotted keys ({@code pool.slots = 65536}), durations with units
 *       ({@code 30s}), {@code include} of shared parts, and environment substitution
 *       ({@code interface = ${?SLUICE_IF}}) for the one value that differs between two machines.</li>
 *   <li><b>Well kept and small</b>: Lightbend maintains it (the configuration of Akka/Pekko and Play, so of many
 *       production systems); one jar of about 300 KB with no dependencies, pure Java, which suits a module
 *       that must stay free of everything but itself.</li>
 * </ul>
 * What HOCON allows and a forwarder must not silently accept is closed here: keys nobody reads are errors
 * (with a "did you mean"), values are type- and range-checked, and lists (ports, routes, neighbours) are lists,
 * so two ports with one name are reported rather than merged. The one HOCON rule kept as it is: a key set
 * twice in the same section takes the later value, as in every HOCON file (and sections given twice merge).
 */
package io.sluice.config;
