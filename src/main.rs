//! The `trustpress` command line: parse arguments, call the library, print, set the exit code.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use trustpress::cmd::{self, build::BuildError};
use trustpress::model;

#[derive(Parser)]
#[command(
    name = "trustpress",
    version,
    about = "Build trust centers, evidence portals and internal review sites from an ISO/IEC 27001 ISMS kept as plain files"
)]
#[command(
    after_help = "Examples:\n  trustpress build example-site                      # public trust center in example-site/_site/public\n  trustpress build my-isms --audience customer        # evidence portal for a buyer under NDA\n  trustpress build my-isms --audience internal --out /tmp/review --today 2026-11-30\n  trustpress serve my-isms --audience internal        # live preview at http://127.0.0.1:1111/\n  trustpress check my-isms --format sarif > trustpress.sarif   # audit gaps for code scanning\n  trustpress init my-isms --organisation \"Acme Ltd\"       # a new site with all 93 controls to assess"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the static site for one audience
    #[command(
        after_help = "Only items classified at or below the audience are written anywhere: pages, lists, counts, the SoA CSV and copied evidence files.\nExit status: 0 on success, 1 when the site has errors (all are printed as path:line:column: error: message)."
    )]
    Build {
        /// The site folder (holding site.yaml and scope.md)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Who the site is for; the least exposure is the default
        #[arg(long, value_enum, default_value_t = Audience::Public)]
        audience: Audience,
        /// Output folder [default: SITE/_site/<audience>]
        #[arg(long)]
        out: Option<PathBuf>,
        /// Pin "today" (YYYY-MM-DD) for freshness and overdue logic [default: SOURCE_DATE_EPOCH or the system date]
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
        /// Also print how long each stage took
        #[arg(short, long)]
        verbose: bool,
    },
    /// Validate the site and report gaps an auditor would ask about; writes nothing
    #[command(
        after_help = "Runs everything build validates plus the audit rules (coverage gaps, expired evidence, overdue reviews and findings, orphans, broken anchors).\nThe report covers the whole source, whatever the --audience: its messages name internal items, files and values. It is for the site's own authors and the repository's code scanning (SARIF); never publish it.\nExit status: 0 when there are no errors, 1 when there are errors (or warnings with --strict), 2 on a usage error."
    )]
    Check {
        /// The site folder (holding site.yaml and scope.md)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// The audience whose build is validated (templates and rendering); the report still covers the whole source
        #[arg(long, value_enum, default_value_t = Audience::Public)]
        audience: Audience,
        /// Pin "today" (YYYY-MM-DD) for freshness and overdue logic [default: SOURCE_DATE_EPOCH or the system date]
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
        /// How to print the diagnostics
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Fail (exit 1) on warnings too
        #[arg(long)]
        strict: bool,
    },
    /// Preview the site in a browser, rebuilding and reloading as files change
    #[command(
        after_help = "The site is built in memory (nothing is written into SITE) and rebuilt on every change; open pages reload when the new build is ready. If a change breaks the build, the last good site stays up with the errors shown on every page.\nListens on the loopback address only unless --bind says otherwise. Ctrl-C stops it."
    )]
    Serve {
        /// The site folder (holding site.yaml and scope.md)
        #[arg(default_value = ".")]
        site: PathBuf,
        /// Who the site is for; the least exposure is the default
        #[arg(long, value_enum, default_value_t = Audience::Public)]
        audience: Audience,
        /// TCP port; 0 picks a free one (the URL printed says which)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to listen on; anything but loopback makes the preview reachable from the network
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// Open the site in the default browser, if one can be found
        #[arg(long)]
        open: bool,
    },
    /// Create a starter site: settings, a scope statement, a policy and all 93 Annex A controls
    #[command(
        after_help = "Creates DIR (which must not exist, or be empty) with site.yaml, scope.md, policies/information-security-policy.md and controls/annex-a.yaml listing every Annex A control to assess. It builds at once: try `trustpress serve DIR --audience internal`."
    )]
    Init {
        /// The folder to create
        dir: PathBuf,
        /// The organisation's name, used in site.yaml and the scope
        #[arg(long, default_value = "Example Ltd")]
        organisation: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// path:line:column: error|warning[rule-id]: message, then a summary line
    Text,
    /// A JSON list of {path, line, column, severity, rule, message}
    Json,
    /// SARIF 2.1.0, for code-scanning UIs
    Sarif,
}

impl From<Format> for cmd::check::Format {
    fn from(f: Format) -> Self {
        match f {
            Format::Text => cmd::check::Format::Text,
            Format::Json => cmd::check::Format::Json,
            Format::Sarif => cmd::check::Format::Sarif,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum Audience {
    /// Anyone on the web: the public trust center
    Public,
    /// A customer's reviewer under NDA: the evidence portal
    Customer,
    /// Staff and auditors: everything
    Internal,
}

impl From<Audience> for model::Audience {
    fn from(a: Audience) -> Self {
        match a {
            Audience::Public => model::Audience::Public,
            Audience::Customer => model::Audience::Customer,
            Audience::Internal => model::Audience::Internal,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            site,
            audience,
            out,
            today,
            verbose,
        } => build(site, audience.into(), out, today.as_deref(), verbose),
        Command::Check {
            site,
            audience,
            today,
            format,
            strict,
        } => check(
            site,
            audience.into(),
            today.as_deref(),
            format.into(),
            strict,
        ),
        Command::Serve {
            site,
            audience,
            port,
            bind,
            open,
        } => serve(site, audience.into(), port, bind, open),
        Command::Init { dir, organisation } => init(&dir, &organisation),
    }
}

fn check(
    site: PathBuf,
    audience: model::Audience,
    today: Option<&str>,
    format: cmd::check::Format,
    strict: bool,
) -> ExitCode {
    let today = match cmd::resolve_today(today) {
        Ok(t) => t,
        Err(e) => {
            // A bad --today (or SOURCE_DATE_EPOCH) is a usage error, like a bad flag.
            eprintln!("error: {e:#}");
            return ExitCode::from(2);
        }
    };
    let report = cmd::check::run(&cmd::check::CheckOptions {
        site,
        audience,
        today,
        format,
        strict,
    });
    // A reader that stops early (`check | head`) closes the pipe: not an error of ours, and
    // never a panic.
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(report.output.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write the report: {e}");
            ExitCode::from(1)
        }
        _ => ExitCode::from(report.exit_code),
    }
}

fn build(
    site: PathBuf,
    audience: model::Audience,
    out: Option<PathBuf>,
    today: Option<&str>,
    verbose: bool,
) -> ExitCode {
    let today = match cmd::resolve_today(today) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let opts = cmd::build::BuildOptions {
        site,
        audience,
        out,
        today,
    };
    match cmd::build::run(&opts) {
        Ok(report) => {
            print_warnings(&report.warnings, verbose);
            if verbose {
                for (stage, took) in &report.timings {
                    println!("  {stage:<22} {:>8.1} ms", took.as_secs_f64() * 1000.0);
                }
            }
            println!(
                "built {} site: {} pages, {} files in {} ms → {}{}",
                audience.as_str(),
                report.pages,
                report.files,
                report.elapsed.as_millis(),
                report.out.display(),
                if report.warnings.is_empty() && report.ignored == 0 {
                    String::new()
                } else {
                    format!(
                        " ({} warnings{})",
                        report.warnings.len(),
                        report.ignored_note()
                    )
                }
            );
            ExitCode::SUCCESS
        }
        Err(BuildError::Invalid(diags)) => {
            // The errors are what stops the build; the warnings are `check`'s to list.
            for d in diags.iter().filter(|d| d.is_error()) {
                eprintln!("{d}");
            }
            if let Some(hint) = cmd::check::warnings_hint(&diags) {
                eprintln!("{hint}");
            }
            let n = diags.iter().filter(|d| d.is_error()).count();
            eprintln!(
                "error: build failed with {n} error{}; nothing was written",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
        Err(BuildError::Other(e)) => fail(&e),
    }
}

/// A build shows the most consequential warnings only (all, in file order, with `-v`);
/// `check` is where they are listed.
fn print_warnings(warnings: &[trustpress::diagnostic::Diagnostic], all: bool) {
    const SHOWN: usize = 20;
    let shown = if all { warnings.len() } else { SHOWN };
    let picked: Vec<&trustpress::diagnostic::Diagnostic> = if all {
        warnings.iter().collect()
    } else {
        cmd::check::by_consequence(warnings, shown)
    };
    for w in picked {
        eprintln!("{w}");
    }
    if warnings.len() > shown {
        eprintln!(
            "… and {} more warnings: run `trustpress check` to list them all",
            warnings.len() - shown
        );
    }
}

fn serve(
    site: PathBuf,
    audience: model::Audience,
    port: u16,
    bind: IpAddr,
    open: bool,
) -> ExitCode {
    let today = match cmd::resolve_today(None) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let opts = trustpress::serve::ServeOptions {
        site,
        audience,
        bind,
        port,
        today,
    };
    match cmd::serve::run(&opts, open) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn init(dir: &std::path::Path, organisation: &str) -> ExitCode {
    match cmd::init::run(dir, organisation) {
        Ok(files) => {
            for f in &files {
                println!("  created {}", dir.join(f).display());
            }
            println!(
                "new site in {}: preview it with `trustpress serve {} --audience internal`",
                dir.display(),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::FAILURE
}
