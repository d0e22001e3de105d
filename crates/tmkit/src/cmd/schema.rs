//! `tmkit schema`: the JSON Schema of the format, generated from the Rust types.

use clap::ValueEnum;
use std::path::PathBuf;

/// Which schema to print.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Which {
    /// The threat model file format (for editors: yaml-language-server).
    Model,
    /// The JSON report (`tmkit report --format json`).
    Report,
}

/// Arguments of `tmkit schema`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which schema.
    #[arg(long, value_enum, default_value_t = Which::Model)]
    pub output: Which,
    /// Write to this file instead of stdout.
    #[arg(short = 'o', long = "out")]
    pub out: Option<PathBuf>,
}

/// Runs the command.
pub fn run(args: Args) -> u8 {
    let schema = match args.output {
        Which::Model => tmkit_syntax::raw::schema(),
        Which::Report => tmkit_render::json::schema(),
    };
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    match super::write_output(
        args.out.as_deref(),
        text.as_bytes(),
        &tmkit_syntax::Files::new(),
    ) {
        Ok(()) => super::EXIT_OK,
        Err(e) => {
            eprintln_escaped!("error: {e}");
            super::EXIT_INVALID
        }
    }
}
