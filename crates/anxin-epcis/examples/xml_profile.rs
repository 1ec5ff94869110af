//! A driver for profiling the XML reader under callgrind: writes a synthetic document, then
//! reads and validates it (`ours`) or merely iterates its quick-xml events (`baseline`, the
//! benchmark's baseline). Run as
//! `valgrind --tool=callgrind --toggle-collect='*run_*' target/release/examples/xml_profile ours 3000`.

use anxin_epcis::sample::{self, SampleRng};
use anxin_epcis::{Event, EventSink, Limits, Origin, Problem, validate, xml};

#[derive(Default)]
struct ValidatingSink {
    n_events: usize,
    n_problems: usize,
}

impl EventSink for ValidatingSink {
    fn event(&mut self, event: Result<Event, Vec<Problem>>, _origin: Origin) -> Result<(), String> {
        self.n_events += 1;
        match event {
            Ok(event) => self.n_problems += validate::check_event(&event).len(),
            Err(problems) => self.n_problems += problems.len(),
        }
        Ok(())
    }
}

#[inline(never)]
fn run_ours(document: &[u8], validate: bool) -> usize {
    let limits = Limits {
        max_document_bytes: u64::MAX,
        max_events: usize::MAX,
        ..Limits::DEFAULT
    };
    if validate {
        let mut sink = ValidatingSink::default();
        xml::read(document, &limits, &mut sink).expect("sample reads");
        assert_eq!(sink.n_problems, 0, "sample documents are valid");
        sink.n_events
    } else {
        struct Counter(usize);
        impl EventSink for Counter {
            fn event(
                &mut self,
                event: Result<Event, Vec<Problem>>,
                _: Origin,
            ) -> Result<(), String> {
                self.0 += usize::from(event.is_ok());
                Ok(())
            }
        }
        let mut sink = Counter(0);
        xml::read(document, &limits, &mut sink).expect("sample reads");
        sink.0
    }
}

#[inline(never)]
fn run_baseline(document: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(document);
    let mut buffer = Vec::new();
    let mut n_events = 0usize;
    loop {
        match reader.read_event_into(&mut buffer).expect("valid XML") {
            quick_xml::events::Event::Eof => break,
            _ => n_events += 1,
        }
        buffer.clear();
    }
    n_events
}

#[inline(never)]
fn run_borrow(document: &[u8]) -> usize {
    let mut reader = quick_xml::Reader::from_reader(document);
    let mut n_events = 0usize;
    loop {
        match reader.read_event().expect("valid XML") {
            quick_xml::events::Event::Eof => break,
            _ => n_events += 1,
        }
    }
    n_events
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "ours".to_owned());
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(3000);
    // Repeats, for sampling profilers that should see mostly reading.
    let rounds: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(1);
    let mut rng = SampleRng::new(1);
    let header = sample::header(&mut rng);
    let mut writer = xml::Writer::start(Vec::new(), &header).expect("write to memory");
    for _ in 0..count {
        writer
            .event(&sample::random_event(&mut rng))
            .expect("write to memory");
    }
    let document = writer.finish().expect("write to memory");
    if mode == "write" {
        use std::io::Write;
        std::io::stdout()
            .write_all(&document)
            .expect("write to stdout");
        return;
    }
    let mut n = 0;
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let start = std::time::Instant::now();
        n = match mode.as_str() {
            "ours" => run_ours(&document, true),
            "read" => run_ours(&document, false),
            "baseline" => run_baseline(&document),
            "borrow" => run_borrow(&document),
            other => panic!("unknown mode {other}"),
        };
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{mode}: {n} over {} bytes, best of {rounds}: {:.1} MB/s",
        document.len(),
        document.len() as f64 / 1e6 / best
    );
}
