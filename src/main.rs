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
    after_help = "Examples:\n  trustpress build example-site                      # public trust center in example-site/_site/public\n  trustpress build my-isms --audience customer        # evidence portal for a buyer under NDA\n  trustpress build my-isms --audience internal --out /tmp/review --today 2026-11-30\n  trustpress serve my-isms --audience internal        # live preview at http://127.0.0.1:1111/\n  trustpress check my-isms --format sarif > trustpress.sarif   # audit gaps for code scanning\n  trustpress init my-isms --organisation \"Acme Ltd\"       # a new site with all 93 controls to assess\n  trustpress new policy access-control --title \"Access Control Policy\" --site my-isms\n  trustpress theme export my-theme                    # the default templates, to override one\n  trustpress schema my-isms/schemas                   # JSON Schemas for editors (VS Code YAML)"
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
        after_help = "Creates DIR (which must not exist, or be empty) with site.yaml, scope.md, policies/information-security-policy.md, controls/annex-a.yaml listing every Annex A control to assess, and a .gitignore for the default output folder _site/. It builds at once: try `trustpress serve DIR --audience internal`.\nWith --controls, DIR is an existing site: only controls/annex-a.yaml is written (every control the site does not map yet, not assessed); nothing else is touched, and an existing controls/annex-a.yaml is refused.\n\nExamples:\n  trustpress init my-isms --organisation \"Acme Ltd\"\n  trustpress init --controls my-existing-site"
    )]
    Init {
        /// The folder to create (with --controls: the existing site)
        dir: PathBuf,
        /// The organisation's name, used in site.yaml and the scope
        #[arg(long, default_value = "Example Ltd")]
        organisation: String,
        /// Add controls/annex-a.yaml (all Annex A controls, not assessed) to the existing site DIR
        #[arg(long, conflicts_with = "organisation")]
        controls: bool,
    },
    /// Add a skeleton policy, evidence item, risk, finding or supplier to a site
    #[command(
        after_help = "A policy is written to policies/ID.md. An evidence item, risk, finding or supplier is appended to its register: --file if given, else evidence/register.yaml (risks/…, findings/…, suppliers/…) or the folder's only YAML file; a missing register is created. Existing text and comments are kept: the entry is added at the end.\nAn id that the site already has (or that makes the same page address) is refused. A new item is classified internal unless --classification says otherwise. The skeleton passes `trustpress check`; fill in its placeholders.\n\nExamples:\n  trustpress new policy access-control --title \"Access Control Policy\"\n  trustpress new evidence EV-042 --title \"Q3 access review\" --classification customer --site my-isms\n  trustpress new risk R-017 --title \"Loss of a laptop\"\n  trustpress new finding F-2026-07 --file findings/2026-audit.yaml\n  trustpress new supplier acme-mail --title \"Acme Mail Ltd\" --classification public"
    )]
    New {
        /// What to create
        #[arg(value_enum)]
        kind: NewKind,
        /// The new item's id (for a policy, also its file name), made of letters, digits, `-`, `_` and `.` only
        id: String,
        /// The title (a supplier's name) [default: from the id]
        #[arg(long)]
        title: Option<String>,
        /// public, customer or internal [default: internal]
        #[arg(long)]
        classification: Option<String>,
        /// The site folder (holding site.yaml)
        #[arg(long, default_value = ".")]
        site: PathBuf,
        /// The register file to append to, relative to the site (not for policies)
        #[arg(long, value_name = "PATH")]
        file: Option<PathBuf>,
    },
    /// Convert a folder of Markdown from Hugo, MkDocs or comply into a new site, then check it
    #[command(
        after_help = "Reads SRC in the tool's own layout and writes a complete site at DEST (new or empty): site.yaml, scope.md, .gitignore, controls/annex-a.yaml (all 93, not assessed) and one policy per document, then runs `check` over it and prints the counts.\n  hugo:   content/ (or SRC itself); YAML or TOML front matter; title → title, draft: true → status: draft, lastmod/date → approved (published pages), description/summary → summary; page bundles x/index.md get the id x; {{< ref >}}/{{< relref >}} and links to other pages (by path or Hugo address) become policy: links.\n  mkdocs: mkdocs.yml (site_name, docs_dir, nav titles) and docs/; relative .md links become policy: links; every page starts as a draft.\n  comply: policies/, narratives/, procedures/; name → title, acronym (or id) → id, satisfies: ids that are Annex A controls → controls, majorRevisions → a revision table in the text; every document starts as a draft.\nEvery policy is classified internal. Front-matter keys with no trustpress field are dropped and listed in the report.\nExit status: 0 when the new site has no errors, 1 otherwise.\n\nExamples:\n  trustpress import hugo ~/src/security-site my-isms\n  trustpress import mkdocs ~/src/handbook my-isms\n  trustpress import comply ~/src/comply-policies my-isms"
    )]
    Import {
        /// The tool SRC was written for
        #[arg(value_enum)]
        tool: ImportTool,
        /// The folder to read
        src: PathBuf,
        /// The site folder to create (new or empty)
        dest: PathBuf,
    },
    /// Write JSON Schemas for site.yaml, front matter and every register (for editors)
    #[command(
        after_help = "Writes DIR/site.schema.json, scope.schema.json, policy.schema.json, mappings.schema.json (controls/), evidence.schema.json, risks.schema.json, findings.schema.json and suppliers.schema.json, generated from the same definitions the loader uses, and prints the `yaml.schemas` block for .vscode/settings.json, so VS Code's YAML extension (redhat.vscode-yaml) completes and validates site.yaml and the registers.\nFront matter inside .md files (policies/, scope.md) cannot be validated by the YAML extension; scope.schema.json and policy.schema.json are written for other tools.\nExisting schema files in DIR are replaced; run it again after upgrading trustpress.\n\nExamples:\n  cd my-isms && trustpress schema                # writes schemas/*.schema.json\n  trustpress schema my-isms/.vscode/schemas"
    )]
    Schema {
        /// The folder to write the schemas into
        #[arg(default_value = cmd::schema::DEFAULT_DIR)]
        dir: PathBuf,
    },
    /// Work with the embedded default theme
    Theme {
        #[command(subcommand)]
        command: ThemeCommand,
    },
}

#[derive(Subcommand)]
enum ThemeCommand {
    /// Write the default theme's templates and assets into DIR, to start overrides from
    #[command(
        after_help = "Writes DIR/templates/*.html (every template the theme uses) and DIR/assets/style.css and trustpress.js (for reference). DIR must not exist, or be empty.\nTo change a page, copy its template into your site's templates/ folder and edit it there: a site's templates/x.html replaces the theme's x.html and nothing else. docs/templates.md lists the variables each template receives.\n\nExample:\n  trustpress theme export /tmp/theme && cp /tmp/theme/templates/policy.html my-isms/templates/"
    )]
    Export {
        /// The folder to write (new or empty)
        dir: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum ImportTool {
    /// a Hugo site (content/ with YAML or TOML front matter)
    Hugo,
    /// an MkDocs project (mkdocs.yml and docs/)
    Mkdocs,
    /// a strongdm/comply project (policies/, narratives/, procedures/)
    Comply,
}

#[derive(Clone, Copy, ValueEnum)]
enum NewKind {
    /// policies/ID.md
    Policy,
    /// an entry in evidence/register.yaml
    Evidence,
    /// an entry in risks/register.yaml
    Risk,
    /// an entry in findings/register.yaml
    Finding,
    /// an entry in suppliers/register.yaml
    Supplier,
}

impl From<NewKind> for cmd::new::Kind {
    fn from(k: NewKind) -> Self {
        match k {
            NewKind::Policy => cmd::new::Kind::Policy,
            NewKind::Evidence => cmd::new::Kind::Evidence,
            NewKind::Risk => cmd::new::Kind::Risk,
            NewKind::Finding => cmd::new::Kind::Finding,
            NewKind::Supplier => cmd::new::Kind::Supplier,
        }
    }
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

/// mimalloc instead of the system allocator: a build makes millions of small allocations from
/// both threads of the pool (glibc's malloc and free were a seventh of a build's time). Built
/// without transparent huge pages (`no_thp`): each page it freed and touched again cost the
/// kernel 2 MiB of zeroing, about a tenth of a build's samples; without them a 10,000-policy
/// build peaks ~40 MiB lower and spends less time in the kernel.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Command::Init {
            dir,
            organisation,
            controls,
        } => {
            if controls {
                init_controls(&dir)
            } else {
                init(&dir, &organisation)
            }
        }
        Command::New {
            kind,
            id,
            title,
            classification,
            site,
            file,
        } => new(
            kind.into(),
            &id,
            title.as_deref(),
            classification.as_deref(),
            &site,
            file.as_deref(),
        ),
        Command::Schema { dir } => schema(&dir),
        Command::Theme {
            command: ThemeCommand::Export { dir },
        } => theme_export(&dir),
        Command::Import { tool, src, dest } => import(
            match tool {
                ImportTool::Hugo => cmd::import::Tool::Hugo,
                ImportTool::Mkdocs => cmd::import::Tool::Mkdocs,
                ImportTool::Comply => cmd::import::Tool::Comply,
            },
            &src,
            &dest,
        ),
    }
}

fn import(tool: cmd::import::Tool, src: &std::path::Path, dest: &std::path::Path) -> ExitCode {
    let today = match cmd::resolve_today(None) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let opts = cmd::import::ImportOptions {
        tool,
        src,
        dest,
        today,
    };
    match cmd::import::run(&opts) {
        Ok(r) => {
            for note in &r.notes {
                println!("  note: {note}");
            }
            for e in &r.errors {
                eprintln!("{e}");
            }
            println!(
                "imported {} {} file(s) from {} into {}: {} policies, {} links rewritten; check: {} error(s), {} warning(s){}",
                r.files,
                tool.name(),
                src.display(),
                dest.display(),
                r.policies.len(),
                r.links,
                r.errors.len(),
                r.warnings,
                if r.errors.is_empty() {
                    format!(
                        " — preview with `trustpress serve {} --audience internal`",
                        dest.display()
                    )
                } else {
                    String::new()
                }
            );
            if r.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => fail(&e),
    }
}

fn init_controls(site: &std::path::Path) -> ExitCode {
    match cmd::init::add_controls(site) {
        Ok(added) => {
            println!(
                "  created {}: {} controls to assess{}",
                site.join(&added.path).display(),
                added.written,
                if added.already_mapped > 0 {
                    format!(
                        " ({} the site maps already were left out)",
                        added.already_mapped
                    )
                } else {
                    String::new()
                }
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn new(
    kind: cmd::new::Kind,
    id: &str,
    title: Option<&str>,
    classification: Option<&str>,
    site: &std::path::Path,
    file: Option<&std::path::Path>,
) -> ExitCode {
    if kind == cmd::new::Kind::Policy && file.is_some() {
        eprintln!("error: --file is for register entries; a policy is always policies/ID.md");
        return ExitCode::from(2);
    }
    let today = match cmd::resolve_today(None) {
        Ok(t) => t,
        Err(e) => return fail(&e),
    };
    let opts = cmd::new::NewOptions {
        site,
        kind,
        id,
        title,
        classification,
        file,
        today,
    };
    match cmd::new::run(&opts) {
        Ok(w) => {
            println!(
                "{} {}:",
                if w.created { "created" } else { "appended to" },
                site.join(&w.path).display()
            );
            print!("{}", w.text);
            println!(
                "fill in the placeholders, then run `trustpress check {}`",
                site.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn schema(dir: &std::path::Path) -> ExitCode {
    match cmd::schema::write(dir) {
        Ok(files) => {
            for f in &files {
                println!("  wrote {}", f.display());
            }
            let shown = dir.to_string_lossy().replace('\\', "/");
            println!(
                "\nfor VS Code's YAML extension, add to .vscode/settings.json (paths relative to the site folder):\n{}",
                cmd::schema::vscode_settings(&shown)
            );
            println!(
                "front matter in .md files cannot be checked by the YAML extension: policy.schema.json and scope.schema.json are for other tools"
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn theme_export(dir: &std::path::Path) -> ExitCode {
    match cmd::theme::export(dir) {
        Ok(files) => {
            for f in &files {
                println!("  created {}", dir.join(f).display());
            }
            println!(
                "copy a template into your site's templates/ folder to override it (docs/templates.md lists its variables)"
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
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
    // A reader that stops early (`2>&1 | head`) is not an error of ours.
    let _ = cmd::check::write_warnings(
        std::io::stderr().lock(),
        &picked,
        warnings.len().saturating_sub(shown),
    );
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
