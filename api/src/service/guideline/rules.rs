//! The numbered parts and rules of a guideline version: what an editor
//! writes of them, how their numbers are checked, how `body` is rendered
//! from them, and how they are read across versions.
//!
//! A number is "4" for a part and "4.2" for a rule in it (deeper levels,
//! "4.2.1", follow the same pattern). A rule's `lineage` is its identity
//! across versions: a new draft copies the rules of the latest version with
//! their lineages, so a rule can be followed through versions however it is
//! renumbered.

use std::collections::{HashMap, HashSet};

use entity::value::{GuidelineStatus, LocalizedText};
use entity::{
    guideline_rule, guideline_rule_resource, guideline_rule_session, guideline_rule_visit,
    guideline_version,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::Serialize;
use uuid::Uuid;

use crate::error::Result;
use crate::service::kernel::validate::{self, Problems};

use super::Drafts;

/// The most parts and rules one version holds; `GuidelineVersion.rules` is costed by it.
pub const MAX_RULES: usize = 200;

/// The most characters of one rule's text or commentary, in each language.
pub const MAX_RULE_TEXT: usize = 20_000;

/// The most visits, learning sessions and resources, together, that inform one rule.
pub const MAX_RULE_SOURCES: usize = 20;

/// The most versions of one rule that `Rule.history` lists; it is costed by it.
pub const MAX_RULE_HISTORY: usize = 50;

/// The most lines of one rule's text diff; `RuleChange.textDiff` is costed by it.
pub const MAX_RULE_DIFF_LINES: usize = 100;

/// One part or rule as an editor writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleFields {
    /// The same rule in other versions; `None` until the write resolves it
    /// (from the rule with the same number before, else a new one).
    pub lineage: Option<Uuid>,
    pub number: String,
    pub title: LocalizedText,
    pub text: LocalizedText,
    pub commentary: Option<LocalizedText>,
    pub informed_by_visits: Vec<i32>,
    pub informed_by_sessions: Vec<i32>,
    pub informed_by_resources: Vec<i32>,
}

/// A rule's number as its parts: "4.2" is `[4, 2]`.
///
/// # Errors
/// A message saying what is wrong with it.
pub fn parse_number(number: &str) -> std::result::Result<Vec<u32>, String> {
    let bad = || {
        format!(
            "`{number}` is not a rule number: numbers are like `4` (a part) or `4.2` (a rule in it), each from 1, without leading zeros"
        )
    };
    number
        .split('.')
        .map(|piece| {
            let digits = !piece.is_empty() && piece.bytes().all(|b| b.is_ascii_digit());
            if !digits || piece.starts_with('0') {
                return Err(bad());
            }
            piece.parse::<u32>().map_err(|_| bad())
        })
        .collect()
}

/// Whether a number is a part's (one level) rather than a rule's.
#[must_use]
pub fn is_part(number: &str) -> bool {
    !number.contains('.')
}

/// Checks the rules of a version, listing every problem under `field`
/// (`input.rules`): numbers well formed, unique, in increasing order, each
/// after the part (or rule) it belongs to; titles and texts in English.
pub fn check(problems: &mut Problems, field: &str, rules: &mut [RuleFields]) {
    if rules.len() > MAX_RULES {
        problems.add(
            field,
            format!(
                "a version holds at most {MAX_RULES} parts and rules, got {}",
                rules.len()
            ),
        );
        return;
    }
    let mut seen: HashSet<Vec<u32>> = HashSet::new();
    let mut lineages: HashSet<Uuid> = HashSet::new();
    let mut previous: Option<Vec<u32>> = None;
    for (i, rule) in rules.iter_mut().enumerate() {
        let at = format!("{field}[{i}]");
        rule.number = rule.number.trim().to_owned();
        match parse_number(&rule.number) {
            Err(message) => problems.add(format!("{at}.number"), message),
            Ok(parts) => {
                if !seen.insert(parts.clone()) {
                    problems.add(
                        format!("{at}.number"),
                        format!("`{}` appears twice", rule.number),
                    );
                } else if let Some(parent) = parts.split_last().map(|(_, p)| p.to_vec())
                    && !parent.is_empty()
                    && !seen.contains(&parent)
                {
                    problems.add(
                        format!("{at}.number"),
                        format!(
                            "`{}` comes before `{}`, the part it belongs to: a part comes first, then its rules",
                            rule.number,
                            join(&parent)
                        ),
                    );
                } else if let Some(before) = &previous
                    && *before >= parts
                {
                    problems.add(
                        format!("{at}.number"),
                        format!(
                            "`{}` comes after `{}`: parts and rules are listed in increasing order",
                            rule.number,
                            join(before)
                        ),
                    );
                }
                previous = Some(parts);
            }
        }
        if let Some(lineage) = rule.lineage
            && !lineages.insert(lineage)
        {
            problems.add(
                format!("{at}.lineage"),
                "two rules of one version cannot both be the same earlier rule",
            );
        }
        check_text(problems, &format!("{at}.title"), &rule.title, true);
        check_text(problems, &format!("{at}.text"), &rule.text, false);
        if let Some(commentary) = &rule.commentary {
            check_text(problems, &format!("{at}.commentary"), commentary, false);
        }
        let sources = rule.informed_by_visits.len()
            + rule.informed_by_sessions.len()
            + rule.informed_by_resources.len();
        if sources > MAX_RULE_SOURCES {
            problems.add(
                format!("{at}.informedBy"),
                format!("a rule names at most {MAX_RULE_SOURCES} sources, got {sources}"),
            );
        }
        for list in [
            &mut rule.informed_by_visits,
            &mut rule.informed_by_sessions,
            &mut rule.informed_by_resources,
        ] {
            list.sort_unstable();
            list.dedup();
        }
    }
}

fn join(parts: &[u32]) -> String {
    parts
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

fn check_text(problems: &mut Problems, field: &str, text: &LocalizedText, one_line: bool) {
    if !text.0.contains_key("en") {
        problems.add(
            field,
            "give an English text (`en`): it is what other languages fall back to",
        );
    }
    for (lang, value) in &text.0 {
        let outcome = if one_line {
            validate::name(value)
        } else {
            validate::prose(value, MAX_RULE_TEXT)
        };
        problems.check(&format!("{field}.{lang}"), outcome);
    }
}

/// Gives every rule without a lineage the lineage of the rule with its
/// number in `base` (the draft before this write, or the version a new
/// draft follows), else a new one.
pub fn resolve_lineages(rules: &mut [RuleFields], base: &[RuleFields]) {
    let taken: HashSet<Uuid> = rules.iter().filter_map(|r| r.lineage).collect();
    let by_number: HashMap<&str, Uuid> = base
        .iter()
        .filter_map(|r| r.lineage.map(|l| (r.number.as_str(), l)))
        .filter(|(_, l)| !taken.contains(l))
        .collect();
    for rule in rules.iter_mut().filter(|r| r.lineage.is_none()) {
        rule.lineage = Some(
            by_number
                .get(rule.number.as_str())
                .copied()
                .unwrap_or_else(Uuid::now_v7),
        );
    }
}

/// The body of a version with rules: Markdown, in English, a heading for
/// each part and a paragraph for each rule, with its commentary quoted.
#[must_use]
pub fn render(rules: &[RuleFields]) -> String {
    let english = |t: &LocalizedText| t.get("en").unwrap_or_default().trim().to_owned();
    let mut out = String::new();
    for rule in rules {
        let (title, text) = (english(&rule.title), english(&rule.text));
        if is_part(&rule.number) {
            out.push_str(&format!("## {} {title}\n\n", rule.number));
        } else {
            out.push_str(&format!("**{} {title}**\n\n", rule.number));
        }
        if !text.is_empty() {
            out.push_str(&text);
            out.push_str("\n\n");
        }
        if let Some(commentary) = rule.commentary.as_ref().map(english)
            && !commentary.is_empty()
        {
            for line in commentary.lines() {
                out.push_str("> ");
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The identity of a rule in one version: derived from the version's and
/// the rule's lineage, so that it stays while a draft is edited, and is the
/// same in every installation that holds the version.
#[must_use]
pub fn rule_uuid(version: Uuid, lineage: Uuid) -> Uuid {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"wish-guideline-rule")
        .chain_update(version.as_bytes())
        .chain_update(lineage.as_bytes())
        .finalize();
    let mut bytes = [0_u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The rules of a version, in order, as an editor wrote them.
///
/// # Errors
/// Database errors.
pub async fn fields_of(db: &impl ConnectionTrait, version_id: i32) -> Result<Vec<RuleFields>> {
    let rows = guideline_rule::Entity::find()
        .filter(guideline_rule::Column::GuidelineVersionId.eq(version_id))
        .order_by_asc(guideline_rule::Column::Position)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let sources = sources_of(db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut fields = RuleFields {
                lineage: Some(row.lineage),
                number: row.number,
                title: row.title,
                text: row.text,
                commentary: row.commentary,
                informed_by_visits: Vec::new(),
                informed_by_sessions: Vec::new(),
                informed_by_resources: Vec::new(),
            };
            for source in sources.iter().filter(|(rule, _)| *rule == row.id) {
                match source.1 {
                    RuleSource::Visit(id) => fields.informed_by_visits.push(id),
                    RuleSource::Session(id) => fields.informed_by_sessions.push(id),
                    RuleSource::Resource(id) => fields.informed_by_resources.push(id),
                }
            }
            fields
        })
        .collect())
}

/// What informed a rule, by row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSource {
    Visit(i32),
    Session(i32),
    Resource(i32),
}

/// The sources of many rules: (rule id, source) pairs, ordered by source id.
///
/// # Errors
/// Database errors.
pub async fn sources_of(
    db: &impl ConnectionTrait,
    rule_ids: &[i32],
) -> Result<Vec<(i32, RuleSource)>> {
    let ids = || rule_ids.iter().copied();
    let visits = guideline_rule_visit::Entity::find()
        .filter(guideline_rule_visit::Column::RuleId.is_in(ids()))
        .order_by_asc(guideline_rule_visit::Column::VisitId)
        .all(db)
        .await?;
    let sessions = guideline_rule_session::Entity::find()
        .filter(guideline_rule_session::Column::RuleId.is_in(ids()))
        .order_by_asc(guideline_rule_session::Column::SessionId)
        .all(db)
        .await?;
    let resources = guideline_rule_resource::Entity::find()
        .filter(guideline_rule_resource::Column::RuleId.is_in(ids()))
        .order_by_asc(guideline_rule_resource::Column::ResourceId)
        .all(db)
        .await?;
    Ok(visits
        .into_iter()
        .map(|l| (l.rule_id, RuleSource::Visit(l.visit_id)))
        .chain(
            sessions
                .into_iter()
                .map(|l| (l.rule_id, RuleSource::Session(l.session_id))),
        )
        .chain(
            resources
                .into_iter()
                .map(|l| (l.rule_id, RuleSource::Resource(l.resource_id))),
        )
        .collect())
}

/// Stores the rules of version `id` (whose UUID is `version_uuid`) in place
/// of the ones it had: rows and their links, each kind in one statement.
///
/// # Errors
/// Database errors.
pub async fn save(
    db: &impl ConnectionTrait,
    id: i32,
    version_uuid: Uuid,
    rules: &[RuleFields],
) -> Result<()> {
    guideline_rule::Entity::delete_many()
        .filter(guideline_rule::Column::GuidelineVersionId.eq(id))
        .exec(db)
        .await?;
    if rules.is_empty() {
        return Ok(());
    }
    let rows = rules.iter().enumerate().map(|(position, rule)| {
        let lineage = rule.lineage.unwrap_or_else(Uuid::now_v7);
        guideline_rule::ActiveModel {
            uuid: Set(rule_uuid(version_uuid, lineage)),
            guideline_version_id: Set(id),
            lineage: Set(lineage),
            number: Set(rule.number.clone()),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            title: Set(rule.title.clone()),
            text: Set(rule.text.clone()),
            commentary: Set(rule.commentary.clone()),
            ..Default::default()
        }
    });
    guideline_rule::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    let stored: HashMap<String, i32> = guideline_rule::Entity::find()
        .filter(guideline_rule::Column::GuidelineVersionId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.number, r.id))
        .collect();
    let mut visits = Vec::new();
    let mut sessions = Vec::new();
    let mut resources = Vec::new();
    for rule in rules {
        let Some(&rule_id) = stored.get(&rule.number) else {
            continue;
        };
        visits.extend(
            rule.informed_by_visits
                .iter()
                .map(|&v| guideline_rule_visit::ActiveModel {
                    rule_id: Set(rule_id),
                    visit_id: Set(v),
                }),
        );
        sessions.extend(rule.informed_by_sessions.iter().map(|&s| {
            guideline_rule_session::ActiveModel {
                rule_id: Set(rule_id),
                session_id: Set(s),
            }
        }));
        resources.extend(rule.informed_by_resources.iter().map(|&r| {
            guideline_rule_resource::ActiveModel {
                rule_id: Set(rule_id),
                resource_id: Set(r),
            }
        }));
    }
    if !visits.is_empty() {
        guideline_rule_visit::Entity::insert_many(visits)
            .exec_without_returning(db)
            .await?;
    }
    if !sessions.is_empty() {
        guideline_rule_session::Entity::insert_many(sessions)
            .exec_without_returning(db)
            .await?;
    }
    if !resources.is_empty() {
        guideline_rule_resource::Entity::insert_many(resources)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The rules of many versions, each version's in order.
///
/// # Errors
/// Database errors.
pub async fn of_versions(
    db: &impl ConnectionTrait,
    version_ids: &[i32],
) -> Result<Vec<guideline_rule::Model>> {
    Ok(guideline_rule::Entity::find()
        .filter(guideline_rule::Column::GuidelineVersionId.is_in(version_ids.iter().copied()))
        .order_by_asc(guideline_rule::Column::GuidelineVersionId)
        .order_by_asc(guideline_rule::Column::Position)
        .all(db)
        .await?)
}

/// Every row of the lineages `lineages` in versions the caller may see,
/// with their version, oldest version first.
///
/// # Errors
/// Database errors.
pub async fn history_of(
    db: &impl ConnectionTrait,
    lineages: &[Uuid],
    drafts: Drafts,
) -> Result<Vec<(guideline_rule::Model, guideline_version::Model)>> {
    let mut cond =
        Condition::all().add(guideline_rule::Column::Lineage.is_in(lineages.iter().copied()));
    if drafts == Drafts::Hidden {
        cond = cond.add(guideline_version::Column::Status.ne(GuidelineStatus::Draft));
    }
    let rows = guideline_rule::Entity::find()
        .find_also_related(guideline_version::Entity)
        .filter(cond)
        .order_by_asc(guideline_version::Column::Number)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(r, v)| v.map(|v| (r, v)))
        .collect())
}

/// The rule numbered `number` in the latest ADOPTED version of a guideline.
///
/// # Errors
/// Database errors.
pub async fn in_latest_adopted(
    db: &impl ConnectionTrait,
    guideline_id: i32,
    number: &str,
) -> Result<Option<(guideline_rule::Model, guideline_version::Model)>> {
    let Some(version) = guideline_version::Entity::find()
        .filter(guideline_version::Column::GuidelineId.eq(guideline_id))
        .filter(guideline_version::Column::Status.eq(GuidelineStatus::Adopted))
        .order_by_desc(guideline_version::Column::Number)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let rule = guideline_rule::Entity::find()
        .filter(guideline_rule::Column::GuidelineVersionId.eq(version.id))
        .filter(guideline_rule::Column::Number.eq(number.trim()))
        .one(db)
        .await?;
    Ok(rule.map(|r| (r, version)))
}

/// A visit, learning session or resource that informed a rule.
#[derive(Debug, Clone)]
pub enum SourceRecord {
    Visit(entity::visit::Model),
    Session(entity::learning_session::Model),
    Resource(entity::resource::Model),
}

/// The sources of many rules with their records: (rule id, record) pairs,
/// visits first, then learning sessions, then resources, one query each.
///
/// # Errors
/// Database errors.
pub async fn source_records_of(
    db: &impl ConnectionTrait,
    rule_ids: &[i32],
) -> Result<Vec<(i32, SourceRecord)>> {
    let ids = || rule_ids.iter().copied();
    let visits = guideline_rule_visit::Entity::find()
        .filter(guideline_rule_visit::Column::RuleId.is_in(ids()))
        .find_also_related(entity::visit::Entity)
        .order_by_desc(entity::visit::Column::VisitedOn)
        .all(db)
        .await?;
    let sessions = guideline_rule_session::Entity::find()
        .filter(guideline_rule_session::Column::RuleId.is_in(ids()))
        .find_also_related(entity::learning_session::Entity)
        .order_by_desc(entity::learning_session::Column::HeldOn)
        .all(db)
        .await?;
    let resources = guideline_rule_resource::Entity::find()
        .filter(guideline_rule_resource::Column::RuleId.is_in(ids()))
        .find_also_related(entity::resource::Entity)
        .order_by_asc(entity::resource::Column::SortTitle)
        .all(db)
        .await?;
    Ok(visits
        .into_iter()
        .filter_map(|(l, v)| v.map(|v| (l.rule_id, SourceRecord::Visit(v))))
        .chain(
            sessions
                .into_iter()
                .filter_map(|(l, s)| s.map(|s| (l.rule_id, SourceRecord::Session(s)))),
        )
        .chain(
            resources
                .into_iter()
                .filter_map(|(l, r)| r.map(|r| (l.rule_id, SourceRecord::Resource(r)))),
        )
        .collect())
}

/// A rule as its text diff compares it: title, text and commentary in English.
#[must_use]
pub fn english_text(rule: &guideline_rule::Model) -> String {
    let english = |t: &LocalizedText| t.get("en").unwrap_or_default().trim().to_owned();
    let mut out = format!("{}\n\n{}\n", english(&rule.title), english(&rule.text));
    if let Some(commentary) = &rule.commentary {
        out.push('\n');
        out.push_str(&english(commentary));
        out.push('\n');
    }
    out
}

/// How a rule differs between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleChange {
    Added,
    Removed,
    Changed,
    Renumbered,
}

/// What of a rule differs between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Aspect {
    Number,
    Title,
    Text,
    Commentary,
    /// The visits, learning sessions and resources that informed it.
    Sources,
}

/// One rule of a diff: what happened to it, what of it changed, and its
/// row in each version.
#[derive(Debug, Clone)]
pub struct RuleDiff {
    pub change: RuleChange,
    /// For a rule in both versions, what differs, in the order of [`Aspect`].
    pub aspects: Vec<Aspect>,
    pub old: Option<guideline_rule::Model>,
    pub new: Option<guideline_rule::Model>,
}

/// What differs between two rows of one rule, whose sources are in
/// `sources` by rule id (as [`sources_of`] orders them).
fn aspects(
    was: &guideline_rule::Model,
    is: &guideline_rule::Model,
    sources: &HashMap<i32, Vec<RuleSource>>,
) -> Vec<Aspect> {
    let sources_of = |rule: &guideline_rule::Model| sources.get(&rule.id).map(Vec::as_slice);
    [
        (Aspect::Number, was.number != is.number),
        (Aspect::Title, was.title != is.title),
        (Aspect::Text, was.text != is.text),
        (Aspect::Commentary, was.commentary != is.commentary),
        (
            Aspect::Sources,
            sources_of(was).unwrap_or_default() != sources_of(is).unwrap_or_default(),
        ),
    ]
    .into_iter()
    .filter_map(|(aspect, differs)| differs.then_some(aspect))
    .collect()
}

/// The rules that differ from `old` to `new`, matched by lineage: in the
/// order of `new`, then the removed ones in the order of `old`. A rule
/// that is renumbered is RENUMBERED even when its text changed too; one
/// whose title, text, commentary or sources (`sources`, by rule id) alone
/// changed is CHANGED.
#[must_use]
pub fn compare(
    old: &[guideline_rule::Model],
    new: &[guideline_rule::Model],
    sources: &HashMap<i32, Vec<RuleSource>>,
) -> Vec<RuleDiff> {
    let before: HashMap<Uuid, &guideline_rule::Model> =
        old.iter().map(|r| (r.lineage, r)).collect();
    let after: HashSet<Uuid> = new.iter().map(|r| r.lineage).collect();
    let mut out = Vec::new();
    for rule in new {
        let was = before.get(&rule.lineage).copied();
        let (change, aspects) = match was {
            None => (RuleChange::Added, Vec::new()),
            Some(was) => {
                let aspects = aspects(was, rule, sources);
                if aspects.is_empty() {
                    continue;
                }
                let change = if aspects.contains(&Aspect::Number) {
                    RuleChange::Renumbered
                } else {
                    RuleChange::Changed
                };
                (change, aspects)
            }
        };
        out.push(RuleDiff {
            change,
            aspects,
            old: was.cloned(),
            new: Some(rule.clone()),
        });
    }
    out.extend(
        old.iter()
            .filter(|r| !after.contains(&r.lineage))
            .map(|r| RuleDiff {
                change: RuleChange::Removed,
                aspects: Vec::new(),
                old: Some(r.clone()),
                new: None,
            }),
    );
    out
}

/// The sources of many rules, grouped by rule id, each rule's in the order
/// of [`sources_of`]: what [`compare`] compares.
///
/// # Errors
/// Database errors.
pub async fn sources_by_rule(
    db: &impl ConnectionTrait,
    rule_ids: &[i32],
) -> Result<HashMap<i32, Vec<RuleSource>>> {
    let mut grouped: HashMap<i32, Vec<RuleSource>> = HashMap::new();
    for (rule, source) in sources_of(db, rule_ids).await? {
        grouped.entry(rule).or_default().push(source);
    }
    Ok(grouped)
}

#[cfg(test)]
mod tests {
    use super::{RuleFields, check, parse_number, render};
    use crate::service::kernel::validate::Problems;
    use entity::value::LocalizedText;

    fn rule(number: &str) -> RuleFields {
        RuleFields {
            lineage: None,
            number: number.to_owned(),
            title: LocalizedText::english(format!("Title {number}")),
            text: LocalizedText::english(format!("Text {number}.")),
            commentary: None,
            informed_by_visits: Vec::new(),
            informed_by_sessions: Vec::new(),
            informed_by_resources: Vec::new(),
        }
    }

    fn problems(numbers: &[&str]) -> Vec<String> {
        let mut rules: Vec<_> = numbers.iter().map(|n| rule(n)).collect();
        let mut problems = Problems::new();
        check(&mut problems, "input.rules", &mut rules);
        match problems.finish() {
            Ok(()) => Vec::new(),
            Err(crate::error::AppError::Invalid(list)) => {
                list.into_iter().map(|p| p.field).collect()
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn numbers_are_parts_and_rules_without_leading_zeros() {
        assert_eq!(parse_number("4.2"), Ok(vec![4, 2]));
        for bad in ["", "4.", ".4", "04", "4.a", "0", "4..2", "-1"] {
            assert!(parse_number(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parts_come_before_their_rules_in_increasing_order() {
        assert!(problems(&["1", "1.1", "1.2", "2", "2.1"]).is_empty());
        assert_eq!(
            problems(&["1.1", "1"]),
            ["input.rules[0].number", "input.rules[1].number"]
        );
        assert_eq!(problems(&["1", "2", "1.1"]), ["input.rules[2].number"]);
        assert_eq!(problems(&["1", "1"]), ["input.rules[1].number"]);
    }

    fn row(id: i32, lineage: uuid::Uuid, number: &str) -> entity::guideline_rule::Model {
        entity::guideline_rule::Model {
            id,
            uuid: uuid::Uuid::now_v7(),
            guideline_version_id: id,
            lineage,
            number: number.to_owned(),
            position: 0,
            title: LocalizedText::english("Title"),
            text: LocalizedText::english("Text."),
            commentary: None,
        }
    }

    #[test]
    fn a_rule_whose_sources_alone_changed_is_changed_and_says_so() {
        use super::{Aspect, RuleChange, RuleSource, compare};
        let lineage = uuid::Uuid::now_v7();
        let (old, new) = ([row(1, lineage, "1")], [row(2, lineage, "1")]);
        let same = std::collections::HashMap::from([
            (1, vec![RuleSource::Visit(7)]),
            (2, vec![RuleSource::Visit(7)]),
        ]);
        assert!(compare(&old, &new, &same).is_empty());
        let more = std::collections::HashMap::from([
            (1, vec![RuleSource::Visit(7)]),
            (2, vec![RuleSource::Visit(7), RuleSource::Resource(3)]),
        ]);
        let diff = compare(&old, &new, &more);
        assert_eq!(diff.len(), 1);
        assert_eq!(diff[0].change, RuleChange::Changed);
        assert_eq!(diff[0].aspects, [Aspect::Sources]);
        let renumbered = [row(2, lineage, "2")];
        let diff = compare(&old, &renumbered, &more);
        assert_eq!(diff[0].change, RuleChange::Renumbered);
        assert_eq!(diff[0].aspects, [Aspect::Number, Aspect::Sources]);
    }

    #[test]
    fn the_body_has_a_heading_per_part_and_a_paragraph_per_rule() {
        let body = render(&[rule("1"), rule("1.1")]);
        assert_eq!(
            body,
            "## 1 Title 1\n\nText 1.\n\n**1.1 Title 1.1**\n\nText 1.1.\n"
        );
    }
}
