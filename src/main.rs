//! The `trustpress` command line: parse arguments, call the library, print, set the exit code.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use trustpress::cmd::{self, build::BuildError};
use trustpress::model::Classification;

#[derive(Parser)]
#[command(
    name = "trustpress",
    version,
    about = "Build trust centers, evidence portals and internal review sites from an ISO/IEC 27001 ISMS kept as plain files"
)]
#[command(
    after_help = "Examples:\n  trustpress build example-site                      # public trust center in example-site/_site/public\n  trustpress build my-isms --audience customer        # evidence portal for a buyer under NDA\n  trustpress build my-isms --audience internal --out /tmp/review --today 2026-11-30\n  trustpress serve my-isms --audience internal        # live preview at http://127.0.0.1:1111/"
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

impl From<Audience> for Classification {
    fn from(a: Audience) -> Self {
        match a {
            Audience::Public => Classification::Public,
            Audience::Customer => Classification::Customer,
            Audience::Internal => Classification::Internal,
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
        } => build(site, audience.into(), out, today.as_deref()),
        Command::Serve {
            site,
            audience,
            port,
            bind,
            open,
        } => serve(site, audience.into(), port, bind, open),
    }
}

fn build(
    site: PathBuf,
    audience: Classification,
    out: Option<PathBuf>,
    today: Option<&str>,
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
            for w in &report.warnings {
                eprintln!("{w}");
            }
            println!(
                "built {} site: {} pages, {} files in {} ms → {}{}",
                audience.as_str(),
                report.pages,
                report.files,
                report.elapsed.as_millis(),
                report.out.display(),
                if report.warnings.is_empty() {
                    String::new()
                } else {
                    format!(" ({} warnings)", report.warnings.len())
                }
            );
            ExitCode::SUCCESS
        }
        Err(BuildError::Invalid(diags)) => {
            for d in &diags {
                eprintln!("{d}");
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

fn serve(site: PathBuf, audience: Classification, port: u16, bind: IpAddr, open: bool) -> ExitCode {
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

fn fail(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::FAILURE
}
