//! The `wish-api` command line: `serve` (the default), `migrate`, `seed`,
//! `schema`, `token`, `import`.

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::{AuthSettings, DatabaseSettings, LogSettings, ServeSettings};
use crate::startup::Application;
use crate::{db, graphql, service, telemetry};
use entity::value::Role;

#[derive(Parser, Debug)]
#[command(
    name = "wish-api",
    version,
    about = "GraphQL API of WISH-EU: small-scale detention facilities in Europe"
)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseSettings,

    #[command(flatten)]
    pub log: LogSettings,

    #[command(flatten)]
    pub auth: AuthSettings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (the default): migrates, loads the demo data on first start, serves.
    Serve(ServeSettings),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo data set; records that already exist are left as they are.
    Seed,
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
    /// Print a signed bearer token, to onboard a partner, editor or admin. A partner's
    /// organisation is registered in the database if it is new.
    Token(TokenArgs),
    /// Import facilities from a CSV file (the columns of `GET /facilities.csv`)
    /// or a GeoJSON FeatureCollection: rows match facilities by slug (or by
    /// name when that is unambiguous), all or nothing.
    Import(ImportArgs),
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The file to read; `.geojson`/`.json` files and files starting with `{` are read as GeoJSON.
    pub file: std::path::PathBuf,
    /// Check every row and report what would change, without writing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import on behalf of this partner organisation (slug): new facilities are
    /// maintained by it, and facilities of other organisations are refused.
    #[arg(long)]
    pub org: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct TokenArgs {
    /// partner, editor or admin.
    #[arg(long, value_parser = token_role)]
    pub role: Role,
    /// A partner's organisation slug (required for partners).
    #[arg(long)]
    pub org: Option<String>,
    /// Who the token is for (the `sub` claim).
    #[arg(long)]
    pub sub: String,
    /// How long it is valid: 30d, 12h, 15m, 1week.
    #[arg(long, default_value = "30d", value_parser = lifetime)]
    pub ttl: std::time::Duration,
}

/// A role a token may carry.
fn token_role(text: &str) -> Result<Role, String> {
    Role::parse(&text.to_ascii_lowercase())
        .filter(|role| Role::OF_TOKENS.contains(role))
        .ok_or_else(|| format!("`{text}` is not partner, editor or admin"))
}

/// A token's lifetime, as humans write it: some time, and not none.
fn lifetime(text: &str) -> Result<std::time::Duration, String> {
    match humantime::parse_duration(text) {
        Ok(ttl) if ttl.is_zero() => Err("a token must live for some time".to_owned()),
        Ok(ttl) => Ok(ttl),
        Err(err) => Err(format!(
            "`{text}` is not a duration like 30d, 12h or 15m ({err})"
        )),
    }
}

/// Runs the command the user asked for.
///
/// # Errors
/// Any failure to reach the database, bind the port or serve, with context.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init(&cli.log);
    match cli.command {
        None => serve(cli.database, cli.auth, default_serve_settings()).await,
        Some(Command::Serve(settings)) => serve(cli.database, cli.auth, settings).await,
        Some(Command::Token(args)) => token(&cli.database, &cli.auth, args).await,
        Some(Command::Import(args)) => import(&cli.database, args).await,
        Some(Command::Migrate) => {
            let db = db::connect(&cli.database).await?;
            db::migrate(&db).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Some(Command::Seed) => {
            let db = db::connect(&cli.database).await?;
            db::migrate(&db).await?;
            let report = service::demo::load(&db)
                .await
                .map_err(|e| anyhow::anyhow!(e.public_message()))?;
            tracing::info!(
                facilities = report.facilities,
                workshops = report.workshops,
                guidelines = report.guidelines,
                "demo data loaded (existing records left unchanged)"
            );
            Ok(())
        }
        Some(Command::Schema) => {
            let sdl = graphql::schema::sdl();
            std::io::Write::write_all(&mut std::io::stdout(), sdl.as_bytes())
                .context("while writing the schema to standard output")
        }
    }
}

fn default_serve_settings() -> ServeSettings {
    // `wish-api` alone behaves as `wish-api serve` with its flags' defaults and environment.
    #[derive(Parser)]
    struct ServeOnly {
        #[command(flatten)]
        settings: ServeSettings,
    }
    ServeOnly::parse_from(["wish-api"]).settings
}

async fn token(
    database: &DatabaseSettings,
    auth: &AuthSettings,
    args: TokenArgs,
) -> anyhow::Result<()> {
    let (role, ttl) = (args.role, args.ttl);
    if role == Role::Partner {
        let org = args
            .org
            .as_deref()
            .context("a partner token needs --org <organisation slug>")?;
        anyhow::ensure!(
            service::kernel::text::is_valid_slug(org),
            "--org must be a slug: lower-case letters and digits in dash-separated words"
        );
        let db = db::connect(database).await?;
        db::migrate(&db).await?;
        if service::organisation::ensure(&db, org)
            .await
            .map_err(|e| anyhow::anyhow!(e.public_message()))?
        {
            tracing::info!(organisation = org, "registered a new partner organisation");
        }
    }
    let token = crate::auth::sign(auth, &args.sub, role, args.org.as_deref(), ttl)?;
    std::io::Write::write_all(&mut std::io::stdout(), format!("{token}\n").as_bytes())
        .context("while writing the token to standard output")
}

/// An error of the service layer, with its cause: the operator may see it all.
fn operator_error(err: crate::error::AppError) -> anyhow::Error {
    match err {
        crate::error::AppError::Db(err) => anyhow::Error::new(err),
        crate::error::AppError::Internal(err) => err,
        other => anyhow::anyhow!(other.public_message()),
    }
}

async fn import(database: &DatabaseSettings, args: ImportArgs) -> anyhow::Result<()> {
    use service::facility::import::{self as import, Format};
    use std::io::Write as _;

    let content = std::fs::read(&args.file)
        .with_context(|| format!("while reading {}", args.file.display()))?;
    let by_name = args
        .file
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e, "geojson" | "json"));
    let format = if by_name {
        Format::GeoJson
    } else {
        Format::detect(&content)
    };
    let mut err = std::io::stderr();
    let records = match import::parse_blocking(format, content)
        .await
        .map_err(operator_error)?
    {
        Ok(records) => records,
        Err(errors) => {
            for e in &errors {
                writeln!(err, "line {}, column {}: {}", e.line, e.column, e.reason)?;
            }
            anyhow::bail!(
                "{} problem(s) in {}; nothing was imported",
                errors.len(),
                args.file.display()
            );
        }
    };
    writeln!(
        err,
        "read {} rows from {}",
        records.len(),
        args.file.display()
    )?;

    let db = db::connect(database).await?;
    db::migrate(&db).await?;
    let mut actor = service::kernel::unit_of_work::Actor::system();
    if let Some(org) = &args.org {
        let organisation = service::organisation::find(&db, org)
            .await
            .map_err(operator_error)?
            .with_context(|| format!("no partner organisation has the slug `{org}` (register it with `wish-api token --role partner --org {org}`)"))?;
        actor.role = entity::value::Role::Partner;
        actor.organisation = Some(organisation);
    }
    let progress = |done: usize, total: usize| {
        let _ = writeln!(std::io::stderr(), "written {done}/{total}");
    };
    let report = import::import(&db, actor, "import", records, args.dry_run, &progress)
        .await
        .map_err(operator_error)?;
    for e in &report.errors {
        writeln!(err, "line {}, column {}: {}", e.line, e.column, e.reason)?;
    }
    let summary = format!(
        "{} rows: {} created, {} updated, {} unchanged{}\n",
        report.rows,
        report.created,
        report.updated,
        report.unchanged,
        if report.written {
            ""
        } else if report.dry_run {
            " (dry run: nothing written)"
        } else {
            " (nothing written)"
        }
    );
    std::io::stdout()
        .write_all(summary.as_bytes())
        .context("while writing the report")?;
    anyhow::ensure!(
        report.errors.is_empty(),
        "{} problem(s); nothing was imported",
        report.errors.len()
    );
    Ok(())
}

async fn serve(
    database: DatabaseSettings,
    auth: AuthSettings,
    settings: ServeSettings,
) -> anyhow::Result<()> {
    let app = Application::build(&database, &auth, settings).await?;
    tracing::info!(
        address = %app.address(),
        graphql = format!("http://{}/graphql", app.address()),
        graphiql = format!("http://{}/graphiql", app.address()),
        "wish-api is serving"
    );
    app.run_until_stopped().await.context("while serving HTTP")
}
