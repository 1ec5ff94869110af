//! `anxin epcis …`: validate, convert and hash EPCIS 2.0 documents, and write synthetic
//! sample documents for tests and benchmarks.
//!
//! Every command streams: a document is read event by event, so a 200 MB file needs about
//! as much memory as its largest event. Nothing here is stored anywhere; capture into the
//! platform's repository is a different command.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anxin_epcis::{
    Event, EventSink, Format, Header, Limits, Origin, Problem, ReadError, hash, json,
    sample::{self, SampleRng},
    validate, xml,
};
use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};

use crate::exit;

/// The EPCIS subcommands.
#[derive(Subcommand)]
pub enum EpcisCommand {
    /// Check documents against EPCIS 2.0 and CBV 2.0; exit 0 only when every one is valid.
    Validate {
        /// The documents (JSON-LD or XML; the syntax is recognised from the content).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Convert a document to the other syntax, keeping every field and extension.
    Convert {
        /// The document to convert.
        file: PathBuf,
        /// The syntax to write.
        #[arg(long, value_enum)]
        to: Syntax,
        /// Where to write (standard output when absent).
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Print the CBV 2.0 hash ID of every event, one per line, in document order.
    Hash {
        /// The documents.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the canonical pre-hash string of each event instead of its hash ID (for
        /// comparing with another implementation).
        #[arg(long)]
        pre_hash: bool,
        #[command(flatten)]
        limits: LimitArgs,
    },
    /// Write a document of synthetic, valid events (for tests and benchmarks; the data
    /// imitates no real company).
    Sample {
        /// How many events.
        #[arg(long, default_value_t = 100)]
        events: usize,
        /// The random seed; the same seed gives the same document on every machine.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The syntax to write.
        #[arg(long, value_enum, default_value = "json")]
        format: Syntax,
        /// Where to write (standard output when absent).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// A syntax named on the command line.
#[derive(Clone, Copy, ValueEnum)]
pub enum Syntax {
    /// JSON-LD.
    Json,
    /// XML.
    Xml,
}

impl From<Syntax> for Format {
    fn from(syntax: Syntax) -> Format {
        match syntax {
            Syntax::Json => Format::Json,
            Syntax::Xml => Format::Xml,
        }
    }
}

/// Limits a reader enforces, settable per run.
#[derive(Args)]
pub struct LimitArgs {
    /// Largest document accepted, in bytes.
    #[arg(long, default_value_t = Limits::DEFAULT.max_document_bytes)]
    max_bytes: u64,
    /// Most events accepted in one document.
    #[arg(long, default_value_t = Limits::DEFAULT.max_events)]
    max_events: usize,
    /// Deepest nesting accepted.
    #[arg(long, default_value_t = Limits::DEFAULT.max_depth)]
    max_depth: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_document_bytes: self.max_bytes,
            max_events: self.max_events,
            max_depth: self.max_depth,
            ..Limits::DEFAULT
        }
    }
}

/// Runs one EPCIS subcommand and returns its exit code.
pub fn run(command: EpcisCommand) -> Result<u8> {
    match command {
        EpcisCommand::Validate { files, limits } => validate_files(&files, &limits.limits()),
        EpcisCommand::Convert {
            file,
            to,
            output,
            limits,
        } => convert(&file, to.into(), output.as_deref(), &limits.limits()),
        EpcisCommand::Hash {
            files,
            pre_hash,
            limits,
        } => hash_files(&files, pre_hash, &limits.limits()),
        EpcisCommand::Sample {
            events,
            seed,
            format,
            output,
        } => write_sample(events, seed, format.into(), output.as_deref()),
    }
}

/// The most problems printed for one file; the rest are counted.
const PROBLEMS_SHOWN_MAX: usize = 1000;

/// Opens a document and recognises its syntax from its first bytes.
fn open(path: &Path) -> Result<(Format, BufReader<File>)> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut start = [0u8; 512];
    let mut filled = 0;
    while filled < start.len() {
        let read = file
            .read(&mut start[filled..])
            .with_context(|| format!("cannot read {}", path.display()))?;
        if read == 0 {
            break;
        }
        filled += read;
    }
    let format = Format::sniff(&start[..filled]).with_context(|| {
        format!(
            "{} is neither JSON-LD (starts with {{) nor XML (starts with <)",
            path.display()
        )
    })?;
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok((format, BufReader::with_capacity(256 * 1024, file)))
}

fn read_stream(
    format: Format,
    input: impl Read,
    limits: &Limits,
    sink: &mut impl EventSink,
) -> Result<Header, ReadError> {
    match format {
        Format::Json => json::read(input, limits, sink),
        Format::Xml => xml::read(input, limits, sink),
    }
}

/// Validates each event as it streams past and keeps its problems.
struct Validator {
    problems: Vec<Problem>,
    n_problems: usize,
    n_events: usize,
}

impl Validator {
    fn keep(&mut self, problem: Problem) {
        self.n_problems += 1;
        if self.problems.len() < PROBLEMS_SHOWN_MAX {
            self.problems.push(problem);
        }
    }
}

impl EventSink for Validator {
    fn header(&mut self, header: &Header) -> Result<(), String> {
        let origin = Origin {
            index: 0,
            place: anxin_epcis::Place::JsonPointer(String::new()),
            fields: Vec::new(),
        };
        for problem in validate::check_header(header) {
            self.keep(origin.place_problem(problem));
        }
        Ok(())
    }

    fn event(&mut self, event: Result<Event, Vec<Problem>>, origin: Origin) -> Result<(), String> {
        self.n_events += 1;
        match event {
            Ok(event) => {
                for problem in validate::check_event(&event) {
                    self.keep(origin.place_problem(problem));
                }
            }
            Err(problems) => problems.into_iter().for_each(|problem| self.keep(problem)),
        }
        Ok(())
    }
}

fn validate_files(files: &[PathBuf], limits: &Limits) -> Result<u8> {
    let mut code = exit::OK;
    for path in files {
        let (format, input) = match open(path) {
            Ok(opened) => opened,
            Err(error) => {
                eprintln!("{}: {error:#}", path.display());
                code = code.max(exit::IO);
                continue;
            }
        };
        let mut validator = Validator {
            problems: Vec::new(),
            n_problems: 0,
            n_events: 0,
        };
        match read_stream(format, input, limits, &mut validator) {
            Err(ReadError::Io(message)) => {
                eprintln!("{}: cannot read: {message}", path.display());
                code = code.max(exit::IO);
            }
            Err(error) => {
                for problem in &validator.problems {
                    eprintln!("{}: {problem}", path.display());
                }
                eprintln!("{}: {error}", path.display());
                code = code.max(exit::INVALID);
            }
            Ok(_) if validator.n_problems > 0 => {
                for problem in &validator.problems {
                    eprintln!("{}: {problem}", path.display());
                }
                if validator.n_problems > validator.problems.len() {
                    eprintln!(
                        "{}: … and {} more problems",
                        path.display(),
                        validator.n_problems - validator.problems.len()
                    );
                }
                eprintln!(
                    "{}: invalid: {} problems in {} events",
                    path.display(),
                    validator.n_problems,
                    validator.n_events
                );
                code = code.max(exit::INVALID);
            }
            Ok(_) => println!("{}: valid ({} events)", path.display(), validator.n_events),
        }
    }
    Ok(code)
}

/// A streaming writer of either syntax.
enum AnyWriter<W: Write> {
    Json(json::Writer<W>),
    Xml(xml::Writer<W>),
}

impl<W: Write> AnyWriter<W> {
    fn start(format: Format, out: W, header: &Header) -> io::Result<Self> {
        Ok(match format {
            Format::Json => AnyWriter::Json(json::Writer::start(out, header)?),
            Format::Xml => AnyWriter::Xml(xml::Writer::start(out, header)?),
        })
    }

    fn event(&mut self, event: &Event) -> io::Result<()> {
        match self {
            AnyWriter::Json(writer) => writer.event(event),
            AnyWriter::Xml(writer) => writer.event(event),
        }
    }

    fn finish(self) -> io::Result<W> {
        match self {
            AnyWriter::Json(writer) => writer.finish(),
            AnyWriter::Xml(writer) => writer.finish(),
        }
    }
}

/// Writes each event as it is read; refuses to go on past an event it cannot read, because a
/// conversion that drops events silently would be worse than none.
struct Converter<W: Write> {
    format: Format,
    header: Option<Header>,
    writer: Option<AnyWriter<W>>,
    out: Option<W>,
    problems: Vec<Problem>,
}

impl<W: Write> Converter<W> {
    fn writer(&mut self, header: &Header) -> Result<&mut AnyWriter<W>, String> {
        if self.writer.is_none() {
            let header = self.header.as_ref().unwrap_or(header);
            let out = self.out.take().ok_or("the output was already used")?;
            let writer = AnyWriter::start(self.format, out, header).map_err(|e| e.to_string())?;
            self.writer = Some(writer);
        }
        self.writer.as_mut().ok_or_else(|| "no writer".to_owned())
    }
}

impl<W: Write> EventSink for Converter<W> {
    fn header(&mut self, header: &Header) -> Result<(), String> {
        self.writer(header).map(|_| ())
    }

    fn event(&mut self, event: Result<Event, Vec<Problem>>, _origin: Origin) -> Result<(), String> {
        match event {
            Ok(event) => match &mut self.writer {
                Some(writer) => writer.event(&event).map_err(|e| e.to_string()),
                None => Err("an event arrived before the document header".to_owned()),
            },
            Err(problems) => {
                self.problems.extend(problems);
                Err("the document has events that cannot be read".to_owned())
            }
        }
    }
}

fn convert(path: &Path, to: Format, output: Option<&Path>, limits: &Limits) -> Result<u8> {
    let (from, input) = open(path)?;
    // A JSON-LD document may put header members (even its @context) after the events; read
    // the header first so the output's header is complete before the first event is written.
    let header = if from == Format::Json {
        Some(
            json::read_header(input, limits)
                .map_err(|error| anyhow::anyhow!("{}: {error}", path.display()))?,
        )
    } else {
        None
    };
    let (_, input) = open(path)?;
    let out: Box<dyn Write> = match output {
        Some(output_path) => Box::new(BufWriter::new(
            File::create(output_path)
                .with_context(|| format!("cannot create {}", output_path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    let mut converter = Converter {
        format: to,
        header,
        writer: None,
        out: Some(out),
        problems: Vec::new(),
    };
    let read = read_stream(from, input, limits, &mut converter);
    if !converter.problems.is_empty() || read.is_err() {
        for problem in &converter.problems {
            eprintln!("{}: {problem}", path.display());
        }
        if let Err(error) = &read
            && converter.problems.is_empty()
        {
            eprintln!("{}: {error}", path.display());
        }
        eprintln!("{}: not converted", path.display());
        return Ok(exit::INVALID);
    }
    let header = read.expect("checked above");
    let writer = match converter.writer.take() {
        Some(writer) => writer,
        None => AnyWriter::start(to, converter.out.take().context("output lost")?, &header)?,
    };
    writer
        .finish()?
        .flush()
        .context("cannot write the output")?;
    Ok(exit::OK)
}

/// Prints hash IDs as events stream past.
struct HashPrinter<W: Write> {
    out: W,
    pre_hash: bool,
    hasher: hash::Hasher,
    problems: Vec<Problem>,
}

impl<W: Write> EventSink for HashPrinter<W> {
    fn event(&mut self, event: Result<Event, Vec<Problem>>, _origin: Origin) -> Result<(), String> {
        match event {
            Ok(event) if self.pre_hash => {
                writeln!(self.out, "{}", hash::pre_hash_string(&event)).map_err(|e| e.to_string())
            }
            Ok(event) => {
                writeln!(self.out, "{}", self.hasher.hash_id(&event)).map_err(|e| e.to_string())
            }
            Err(problems) => {
                // Keep one line per event so the output lines up with the document's events.
                self.problems.extend(problems);
                writeln!(self.out, "unreadable").map_err(|e| e.to_string())
            }
        }
    }
}

fn hash_files(files: &[PathBuf], pre_hash: bool, limits: &Limits) -> Result<u8> {
    let mut code = exit::OK;
    let stdout = io::stdout();
    for path in files {
        let (format, input) = open(path)?;
        let mut printer = HashPrinter {
            out: BufWriter::new(stdout.lock()),
            pre_hash,
            hasher: hash::Hasher::new(),
            problems: Vec::new(),
        };
        let read = read_stream(format, input, limits, &mut printer);
        printer
            .out
            .flush()
            .context("cannot write to standard output")?;
        for problem in &printer.problems {
            eprintln!("{}: {problem}", path.display());
        }
        if let Err(error) = read {
            eprintln!("{}: {error}", path.display());
            code = code.max(exit::INVALID);
        }
        if !printer.problems.is_empty() {
            code = code.max(exit::INVALID);
        }
    }
    Ok(code)
}

fn write_sample(events: usize, seed: u64, format: Format, output: Option<&Path>) -> Result<u8> {
    let out: Box<dyn Write> = match output {
        Some(path) => Box::new(BufWriter::new(
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
        )),
        None => Box::new(BufWriter::new(io::stdout().lock())),
    };
    let mut rng = SampleRng::new(seed);
    let header = sample::header(&mut rng);
    let mut writer = AnyWriter::start(format, out, &header)?;
    for _ in 0..events {
        writer.event(&sample::random_event(&mut rng))?;
    }
    writer
        .finish()?
        .flush()
        .context("cannot write the sample")?;
    Ok(exit::OK)
}
