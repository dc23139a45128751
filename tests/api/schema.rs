//! `schema.graphql` is the committed form of the contract: it must be exactly
//! what the server serves. Run with `WISH_BLESS_SCHEMA=1` to rewrite it after
//! an intended change, and review the diff.

use std::path::Path;

#[test]
fn committed_schema_matches_the_served_schema() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let served = api::graphql::schema::sdl();
    if std::env::var_os("WISH_BLESS_SCHEMA").is_some() {
        std::fs::write(&path, &served).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == served,
        "schema.graphql differs from the schema the code serves; if the change is intended, run \
         `WISH_BLESS_SCHEMA=1 cargo test --test integration schema` and commit schema.graphql"
    );
}

#[test]
fn schema_has_the_contract_names() {
    let sdl = without_descriptions(&api::graphql::schema::sdl());
    for name in [
        "type Query",
        "facility(id: ID, slug: String, ref: ExternalRefKey): Facility",
        "facilities(filter: FacilityFilter, orderBy: [FacilityOrder!], first: Int, after: String, last: Int, before: String): FacilityConnection!",
        "knowledgeWorkshops: [KnowledgeWorkshop!]!",
        "guidelines: [Guideline!]!",
        "node(id: ID!): Node",
        "interface Node",
        "type Facility implements Node",
        "type PageInfo",
        "changes(after: String, first: Int): ChangeConnection!",
        "type Mutation",
        "createFacility(input: FacilityInput!): Facility!",
        "updateFacility(id: ID!, expectedVersion: Int!, input: FacilityPatch!): Facility!",
        "deleteFacility(id: ID!, expectedVersion: Int!): ID!",
        "importFacilities(csv: String!, dryRun: Boolean = false): ImportReport!",
        "createVisit(input: VisitInput!): Visit!",
        "createLearningSession(input: LearningSessionInput!): LearningSession!",
        "createStakeholder(input: StakeholderInput!): Stakeholder!",
        "createGuidelineVersion(guideline: String!, input: GuidelineVersionInput!): GuidelineVersion!",
        "updateGuidelineVersion(id: ID!, expectedVersion: Int!, input: GuidelineVersionPatch!): GuidelineVersion!",
        "advanceGuidelineVersion(id: ID!, to: GuidelineStatus!",
    ] {
        assert!(sdl.contains(name), "schema lacks `{name}`");
    }
}

/// The SDL with descriptions dropped and each field's arguments on one line,
/// as the contract writes them.
fn without_descriptions(sdl: &str) -> String {
    let mut out = String::new();
    let mut in_block = false;
    for line in sdl.lines() {
        let trimmed = line.trim();
        if trimmed == "\"\"\"" {
            in_block = !in_block;
            continue;
        }
        if in_block || (trimmed.starts_with('"') && trimmed.ends_with('"')) {
            continue;
        }
        out.push_str(trimmed);
        out.push(' ');
    }
    out.replace("( ", "(").replace(" )", ")")
}

/// Partners read the schema in GraphiQL's docs: every type, field, argument,
/// input field and enum value says what it is.
#[actix_web::test]
async fn every_schema_element_has_a_description() {
    let Some(app) = crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await else {
        return;
    };
    let data = app
        .query(
            "{ __schema { types { name kind description
                fields { name description args { name description } } inputFields { name description } enumValues { name description } } } }",
            serde_json::json!({}),
        )
        .await;

    let builtin = ["String", "Int", "Float", "Boolean", "ID"];
    let described = |v: &serde_json::Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };
    let mut missing = Vec::new();
    for ty in data["__schema"]["types"].as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") || builtin.contains(&name) {
            continue;
        }
        if !described(ty) {
            missing.push(name.to_owned());
        }
        for list in ["fields", "inputFields", "enumValues"] {
            for item in ty[list].as_array().into_iter().flatten() {
                let field = item["name"].as_str().unwrap();
                if !described(item) {
                    missing.push(format!("{name}.{field}"));
                }
                for arg in item["args"].as_array().into_iter().flatten() {
                    if !described(arg) {
                        missing.push(format!("{name}.{field}({})", arg["name"].as_str().unwrap()));
                    }
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "undocumented schema elements: {missing:?}"
    );
}
