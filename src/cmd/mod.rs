//! One module per subcommand; `main` parses arguments and calls these.

pub mod build;
pub mod check;
pub mod import;
pub mod init;
pub mod new;
pub mod schema;
pub mod serve;
pub mod theme;

use anyhow::{Context, Result, bail};

use crate::model::Date;

/// "Today" for freshness and overdue logic: `--today`, else `SOURCE_DATE_EPOCH` (for
/// reproducible builds), else the system date (UTC).
pub fn resolve_today(flag: Option<&str>) -> Result<Date> {
    if let Some(t) = flag {
        return Date::parse(t).map_err(|e| anyhow::anyhow!("--today {e}"));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch
            .trim()
            .parse()
            .with_context(|| format!("SOURCE_DATE_EPOCH \"{epoch}\" is not a number of seconds"))?;
        return Date::from_unix_seconds(secs).context("SOURCE_DATE_EPOCH is out of range");
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .context("the system clock is before 1970")?;
    match i64::try_from(now.as_secs())
        .ok()
        .and_then(Date::from_unix_seconds)
    {
        Some(d) => Ok(d),
        None => bail!("the system clock is out of range"),
    }
}
