package io.sluice.bench.harness;

/** The NDR and PDR search of one frame size, forwarder and placement. */
public record NdrRecord(int frameSize, String router, String placement, NdrSearch.Config config, NdrSearch.Result result) {
}
