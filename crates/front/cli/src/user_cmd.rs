//! `postmarket user …` and `postmarket token …`: accounts, product-line grants and API tokens
//! (issue 8). Passwords never come from the command line: from stdin or a prompt without echo.

use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use postmarket_app::users::parse_expiry;
use postmarket_app::{App, NewUser, UserView};
use postmarket_auth::{Role, Scope};

use crate::commands::{actor, say};
use crate::output::{self, opt, Table};
use crate::{Failure, Global};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account (the password is read from stdin or prompted for)
    Add(UserAddArgs),
    /// Accounts with their roles and product lines
    List,
    /// Grant product lines to an account
    Grant(GrantArgs),
    /// Take product lines away from an account
    Revoke(GrantArgs),
    /// Change an account's role
    SetRole {
        name: String,
        #[arg(value_parser = parse_role, value_name = "ROLE")]
        role: Role,
    },
    /// Set a new password (read from stdin or prompted for)
    Passwd {
        name: String,
        /// Read the password from the first line of stdin
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable an account: its sessions and tokens stop working at once
    Disable { name: String },
    /// Enable a disabled account
    Enable { name: String },
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// Account name: letters, digits, '.', '_', '-', '@'
    name: String,
    /// admin, analyst, approver, engineer or viewer
    #[arg(long, value_parser = parse_role, required_unless_present = "admin", value_name = "ROLE")]
    role: Option<Role>,
    /// Shorthand for --role admin (the first account of an installation)
    #[arg(long, conflicts_with = "role")]
    admin: bool,
    /// A product line whose devices the account may see (repeatable; admins see all)
    #[arg(long = "product-line", value_name = "LINE")]
    product_lines: Vec<String>,
    /// Read the password from the first line of stdin instead of prompting
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    name: String,
    /// Product line (repeatable)
    #[arg(long = "product-line", value_name = "LINE", required = true)]
    product_lines: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user; the token is printed once and stored only as a hash
    Create(TokenCreateArgs),
    /// API tokens (never the secrets)
    List {
        /// Only this user's
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke an API token at once
    Revoke {
        /// The token's id (from `token list`)
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The user the token acts as
    #[arg(long)]
    user: String,
    /// A label saying what the token is for
    #[arg(long, default_value = "api")]
    name: String,
    /// read (GET only) or write (whatever the user's role allows)
    #[arg(long, value_parser = parse_scope, default_value = "read")]
    scope: Scope,
    /// Lifetime (90d, 12h, 30m) or last day (YYYY-MM-DD); default: until revoked
    #[arg(long, value_name = "WHEN")]
    expires: Option<String>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
        .map_err(|e: postmarket_auth::Invalid| e.to_string())
}

fn parse_scope(s: &str) -> Result<Scope, String> {
    s.parse()
        .map_err(|e: postmarket_auth::Invalid| e.to_string())
}

/// The password: the first line of stdin (`--password-stdin`, or stdin is not a terminal), or
/// a prompt without echo, asked twice.
fn read_password(from_stdin: bool) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if from_stdin || !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|e| Failure {
            code: 3,
            message: format!("cannot read the password from stdin: {e}"),
        })?;
        let pw = line.trim_end_matches(['\n', '\r']).to_string();
        if pw.is_empty() {
            return Err(Failure::usage(
                "no password on stdin: expected the password on its first line",
            ));
        }
        return Ok(pw);
    }
    let io = |e: std::io::Error| Failure {
        code: 3,
        message: format!("cannot read the password from the terminal: {e}"),
    };
    let first = rpassword::prompt_password("Password: ").map_err(io)?;
    let again = rpassword::prompt_password("Password again: ").map_err(io)?;
    if first != again {
        return Err(Failure::usage(
            "the two passwords differ; nothing was changed",
        ));
    }
    Ok(first)
}

fn print_users(g: &Global, users: &[UserView]) -> Result<(), Failure> {
    if g.json {
        return output::json(users);
    }
    let mut t = Table::new(&["name", "role", "product lines", "status", "created"]);
    for u in users {
        t.row(vec![
            u.name.clone(),
            u.role.to_string(),
            if u.role.sees_all_product_lines() {
                "(all)".into()
            } else if u.product_lines.is_empty() {
                "(none)".into()
            } else {
                u.product_lines.join(", ")
            },
            if u.disabled { "disabled" } else { "active" }.into(),
            u.created_at.clone(),
        ]);
    }
    t.print();
    Ok(())
}

fn print_user(g: &Global, verb: &str, u: &UserView) -> Result<(), Failure> {
    if g.json {
        return output::json(u);
    }
    say(
        g,
        format!(
            "{verb} user {} (role {}; product lines: {})",
            u.name,
            u.role,
            if u.role.sees_all_product_lines() {
                "all".to_string()
            } else if u.product_lines.is_empty() {
                "none".to_string()
            } else {
                u.product_lines.join(", ")
            }
        ),
    );
    Ok(())
}

pub async fn user(g: &Global, url: &str, cmd: UserCommand) -> Result<u8, Failure> {
    // Read the password before opening the database: a prompt should not hold a connection.
    let password = match &cmd {
        UserCommand::Add(a) => Some(read_password(a.password_stdin)?),
        UserCommand::Passwd { password_stdin, .. } => Some(read_password(*password_stdin)?),
        _ => None,
    };
    let app = App::open(url).await?;
    let who = actor(g)?;
    match cmd {
        UserCommand::Add(a) => {
            let role = if a.admin {
                Role::Admin
            } else {
                a.role.unwrap_or(Role::Viewer)
            };
            let u = app
                .add_user(
                    &who,
                    &NewUser {
                        name: &a.name,
                        role,
                        password: password.as_deref().unwrap_or_default(),
                        product_lines: a.product_lines,
                    },
                )
                .await?;
            print_user(g, "added", &u)?;
        }
        UserCommand::List => print_users(g, &app.users().await?)?,
        UserCommand::Grant(a) => {
            let u = app
                .change_product_lines(&who, &a.name, &a.product_lines, true)
                .await?;
            print_user(g, "updated", &u)?;
        }
        UserCommand::Revoke(a) => {
            let u = app
                .change_product_lines(&who, &a.name, &a.product_lines, false)
                .await?;
            print_user(g, "updated", &u)?;
        }
        UserCommand::SetRole { name, role } => {
            let u = app.set_role(&who, &name, role).await?;
            print_user(g, "updated", &u)?;
        }
        UserCommand::Passwd { name, .. } => {
            let u = app
                .set_password(&who, &name, password.as_deref().unwrap_or_default())
                .await?;
            print_user(g, "set the password of", &u)?;
        }
        UserCommand::Disable { name } => {
            let u = app.set_disabled(&who, &name, true).await?;
            print_user(g, "disabled", &u)?;
        }
        UserCommand::Enable { name } => {
            let u = app.set_disabled(&who, &name, false).await?;
            print_user(g, "enabled", &u)?;
        }
    }
    app.store().close().await;
    Ok(0)
}

pub async fn token(g: &Global, url: &str, cmd: TokenCommand) -> Result<u8, Failure> {
    let expires = match &cmd {
        TokenCommand::Create(a) => a.expires.as_deref().map(parse_expiry).transpose()?,
        _ => None,
    };
    let app = App::open(url).await?;
    let who = actor(g)?;
    match cmd {
        TokenCommand::Create(a) => {
            let t = app
                .create_token(&who, &a.user, &a.name, a.scope, expires.as_deref())
                .await?;
            if g.json {
                output::json(&t)?;
            } else {
                // The secret goes to stdout alone on its line, so scripts can capture it.
                println!("{}", t.secret);
                eprintln!(
                    "token {} for {} (scope {}, expires {}); it is shown only now",
                    t.token.id,
                    t.token.user,
                    t.token.scope,
                    opt(t.token.expires_at.as_deref())
                );
            }
        }
        TokenCommand::List { user } => {
            let tokens = app.tokens(user.as_deref()).await?;
            if g.json {
                output::json(&tokens)?;
            } else {
                let mut t = Table::new(&[
                    "id", "user", "name", "scope", "created", "expires", "revoked",
                ])
                .right_align(0);
                for k in &tokens {
                    t.row(vec![
                        k.id.to_string(),
                        k.user.clone(),
                        k.name.clone(),
                        k.scope.clone(),
                        k.created_at.clone(),
                        opt(k.expires_at.as_deref()),
                        opt(k.revoked_at.as_deref()),
                    ]);
                }
                t.print();
            }
        }
        TokenCommand::Revoke { id } => {
            let t = app.revoke_token(&who, id).await?;
            if g.json {
                output::json(&t)?;
            } else {
                say(g, format!("revoked API token {} of {}", t.id, t.user));
            }
        }
    }
    app.store().close().await;
    Ok(0)
}
