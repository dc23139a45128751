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
    about = "GraphQL API of WISH-EU: small-scale detention facilities in Europe",
    // The settings of the database, the log and tokens are every command's.
    mut_args = |setting: clap::Arg| setting.global(true)
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
    Serve(Box<ServeSettings>),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demo data set; records that already exist are left as they are.
    Seed,
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
    /// Issue a bearer token (printed once, recorded in the register of tokens),
    /// to onboard a partner, editor or admin; or list or revoke issued tokens.
    /// A partner's organisation must exist (`wish-api organisation create`).
    Token(TokenArgs),
    /// Create, suspend or reinstate a partner organisation.
    #[command(subcommand)]
    Organisation(OrganisationCommand),
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
#[command(args_conflicts_with_subcommands = true)]
pub struct TokenArgs {
    #[command(subcommand)]
    pub action: Option<TokenAction>,
    /// partner, editor or admin.
    #[arg(long, value_parser = token_role)]
    pub role: Option<Role>,
    /// A partner's organisation slug (required for partners; the organisation must exist).
    #[arg(long)]
    pub org: Option<String>,
    /// Who the token is for (the `sub` claim).
    #[arg(long)]
    pub sub: Option<String>,
    /// How long it is valid: 30d, 12h, 15m, 1week; at most WISH_JWT_MAX_TTL (90d by default).
    #[arg(long, default_value = "30d", value_parser = crate::config::duration)]
    pub ttl: std::time::Duration,
    /// What the token is for, shown in the register.
    #[arg(long)]
    pub label: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum TokenAction {
    /// List the register of tokens, newest first (never the tokens themselves).
    List {
        /// Also list expired and revoked tokens.
        #[arg(long)]
        all: bool,
    },
    /// Revoke a token by its id (`jti`, as `list` shows it): every server refuses it within a second.
    Revoke {
        /// The token's id.
        jti: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum OrganisationCommand {
    /// Register a partner organisation.
    Create {
        /// Its stable identifier, which partner tokens name: lower-case letters and digits in dash-separated words.
        #[arg(long)]
        slug: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// Its website.
        #[arg(long)]
        website: Option<String>,
        /// An e-mail address to reach it at (only admins read it).
        #[arg(long)]
        contact: Option<String>,
    },
    /// Suspend an organisation: its tokens are refused, its facilities stay.
    Suspend {
        /// Its slug.
        slug: String,
    },
    /// Reinstate a suspended organisation.
    Reinstate {
        /// Its slug.
        slug: String,
    },
}

/// A role a token may carry.
fn token_role(text: &str) -> Result<Role, String> {
    Role::parse(&text.to_ascii_lowercase())
        .filter(|role| Role::OF_TOKENS.contains(role))
        .ok_or_else(|| format!("`{text}` is not partner, editor or admin"))
}

/// Runs the command the user asked for.
///
/// # Errors
/// Any failure to reach the database, bind the port or serve, with context.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init(&cli.log);
    match cli.command {
        None => serve(cli.database, cli.auth, default_serve_settings()).await,
        Some(Command::Serve(settings)) => serve(cli.database, cli.auth, *settings).await,
        Some(Command::Token(args)) => token(&cli.database, &cli.auth, args).await,
        Some(Command::Organisation(command)) => organisation(&cli.database, command).await,
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
                resources = report.resources,
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
    match args.action {
        Some(TokenAction::List { all }) => return list_tokens(database, all).await,
        Some(TokenAction::Revoke { jti }) => {
            let db = db::connect(database).await?;
            db::migrate(&db).await?;
            let revoked = service::token::revoke(&db, &jti, None)
                .await
                .map_err(operator_error)?;
            tracing::info!(
                jti = revoked.jti,
                subject = revoked.subject,
                "token revoked"
            );
            return Ok(());
        }
        None => {}
    }
    let (Some(role), Some(sub)) = (args.role, args.sub) else {
        anyhow::bail!(
            "`wish-api token` issues a token with --role and --sub (and --org for a partner); `wish-api token list` and `wish-api token revoke <jti>` manage issued ones"
        );
    };
    // The key and the lifetime are checked before the database is touched.
    let signer = crate::auth::Signer::from_settings(auth)?.context(
        "set WISH_JWT_SECRET (or WISH_JWT_PRIVATE_KEY_FILE for a key pair) to sign tokens",
    )?;
    signer
        .claims(&sub, role, args.org.as_deref(), args.ttl)
        .map_err(|e| anyhow::anyhow!("--ttl: {}", e.public_message()))?;
    if role == Role::Partner {
        let org = args
            .org
            .as_deref()
            .context("a partner token needs --org <organisation slug>")?;
        anyhow::ensure!(
            service::kernel::text::is_valid_slug(org),
            "--org must be a slug: lower-case letters and digits in dash-separated words"
        );
    }
    let db = db::connect(database).await?;
    db::migrate(&db).await?;
    let issued = service::token::issue(
        &db,
        &signer,
        service::token::Request {
            subject: sub,
            role,
            organisation: args.org.clone(),
            ttl: args.ttl,
            label: args.label,
        },
        None,
    )
    .await
    .map_err(|err| match (&err, args.org.as_deref()) {
        (crate::error::AppError::Invalid(problems), Some(org))
            if problems.iter().any(|p| p.field == "input.organisation") =>
        {
            anyhow::anyhow!(
                "{}; to create it: wish-api organisation create --slug {org} --name \"<its name>\"",
                err.public_message()
            )
        }
        _ => operator_error(err),
    })?;
    tracing::info!(jti = issued.record.jti, "token issued and recorded");
    std::io::Write::write_all(
        &mut std::io::stdout(),
        format!("{}\n", issued.token).as_bytes(),
    )
    .context("while writing the token to standard output")
}

async fn list_tokens(database: &DatabaseSettings, all: bool) -> anyhow::Result<()> {
    use sea_orm::{EntityTrait, QueryFilter};
    use service::kernel::page::Listing;
    use service::token::{Filter, Status};

    let db = db::connect(database).await?;
    db::migrate(&db).await?;
    let filter = Filter {
        status: if all {
            Vec::new()
        } else {
            vec![Status::Active]
        },
        ..Filter::default()
    };
    let tokens = Filter::order(
        entity::api_token::Entity::find().filter(filter.condition().map_err(operator_error)?),
    )
    .all(&db)
    .await
    .context("while reading the register of tokens")?;
    let mut out = String::from("jti\tstatus\trole\tsubject\torganisation\texpires_at\tlabel\n");
    for t in tokens {
        out.push_str(&format!(
            "{}\t{:?}\t{}\t{}\t{}\t{}\t{}\n",
            t.jti,
            Status::of(&t),
            t.role.as_str(),
            t.subject,
            t.organisation.as_deref().unwrap_or("-"),
            t.expires_at.to_rfc3339(),
            t.label.as_deref().unwrap_or("")
        ));
    }
    std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes())
        .context("while writing the register to standard output")
}

async fn organisation(
    database: &DatabaseSettings,
    command: OrganisationCommand,
) -> anyhow::Result<()> {
    use service::organisation::write;
    let db = db::connect(database).await?;
    db::migrate(&db).await?;
    let actor = service::kernel::unit_of_work::Actor::system();
    let model = match command {
        OrganisationCommand::Create {
            slug,
            name,
            website,
            contact,
        } => write::create(
            &db,
            actor,
            write::New {
                slug,
                name,
                website,
                contact,
            },
        )
        .await
        .map_err(operator_error)?,
        OrganisationCommand::Suspend { slug } => write::set_suspended(&db, actor, &slug, true)
            .await
            .map_err(operator_error)?,
        OrganisationCommand::Reinstate { slug } => write::set_suspended(&db, actor, &slug, false)
            .await
            .map_err(operator_error)?,
    };
    tracing::info!(
        organisation = model.slug,
        suspended = model.suspended_at.is_some(),
        "organisation saved"
    );
    Ok(())
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
            .with_context(|| format!("no partner organisation has the slug `{org}` (create it with `wish-api organisation create --slug {org} --name <its name>`)"))?;
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
