//! Telling a profiler which phase of a benchmark to sample.

use std::io::Read;

/// Turns `perf record` sampling on or off (`"enable"`, `"disable"`) when `PERF_CONTROL` and
/// `PERF_ACK` name the FIFOs it was started with (`--control fifo:CONTROL,ACK`), so that a
/// profile holds one phase alone; does nothing otherwise. Returns once perf has acknowledged.
pub fn sampling(command: &str) {
    let (Ok(control), Ok(ack)) = (std::env::var("PERF_CONTROL"), std::env::var("PERF_ACK")) else {
        return;
    };
    std::fs::write(control, format!("{command}\n")).expect("perf's control FIFO");
    let mut answer = [0u8; 4];
    std::fs::File::open(ack)
        .and_then(|mut fifo| fifo.read_exact(&mut answer))
        .expect("perf acknowledges");
}
