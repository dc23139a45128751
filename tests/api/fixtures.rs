//! Data the demo set does not have (visits, sessions, stakeholders, guideline
//! versions), written straight to the test database.

use chrono::NaiveDate;
use entity::value::*;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder,
};

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub async fn workshop(db: &DatabaseConnection, key: &str) -> knowledge_workshop::Model {
    knowledge_workshop::Entity::find()
        .filter(knowledge_workshop::Column::Key.eq(key))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

pub async fn facility(db: &DatabaseConnection, slug: &str) -> facility::Model {
    facility::Entity::find()
        .filter(facility::Column::Slug.eq(slug))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// What a fixture person consented to make public: name, affiliation, kind.
#[derive(Debug, Clone, Copy)]
pub struct Consent {
    pub name: bool,
    pub affiliation: bool,
    pub kind: bool,
}

impl Consent {
    pub const ALL: Self = Self {
        name: true,
        affiliation: true,
        kind: true,
    };
    pub const NONE: Self = Self {
        name: false,
        affiliation: false,
        kind: false,
    };
}

/// A person who consented to make everything public but their contact details.
pub async fn stakeholder(
    db: &DatabaseConnection,
    name: &str,
    kind: StakeholderKind,
    workshop_key: Option<&str>,
) -> stakeholder::Model {
    person(db, name, kind, workshop_key, Consent::ALL).await
}

/// A person with `consent`.
pub async fn person(
    db: &DatabaseConnection,
    name: &str,
    kind: StakeholderKind,
    workshop_key: Option<&str>,
    consent: Consent,
) -> stakeholder::Model {
    let now = api::service::kernel::now();
    let person = stakeholder::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        name: Set(name.to_owned()),
        kind: Set(kind),
        organisation: Set(Some("Université de Liège".to_owned())),
        country_code: Set(Some("BE".to_owned())),
        email: Set(Some(format!(
            "{}@example.org",
            api::service::kernel::text::slugify(name)
        ))),
        phone: Set(Some("+32 4 000 00 00".to_owned())),
        sort_name: Set(api::service::kernel::text::fold(name)),
        search_text: Set(api::service::kernel::text::fold_all(
            [name, "Université de Liège"]
                .into_iter()
                .take(if consent.affiliation { 2 } else { 1 }),
        )),
        consent_name: Set(consent.name),
        consent_affiliation: Set(consent.affiliation),
        consent_kind: Set(consent.kind),
        consent_recorded_at: Set(Some(now)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    if let Some(key) = workshop_key {
        let workshop = workshop(db, key).await;
        workshop_membership::ActiveModel {
            workshop_id: Set(workshop.id),
            stakeholder_id: Set(person.id),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
    }
    person
}

pub async fn visit(
    db: &DatabaseConnection,
    facility_id: i32,
    on: NaiveDate,
    workshop_id: Option<i32>,
    participants: &[i32],
) -> visit::Model {
    let now = api::service::kernel::now();
    let visit = visit::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        facility_id: Set(facility_id),
        visited_on: Set(on),
        workshop_id: Set(workshop_id),
        summary: Set(Some(LocalizedText::english("A study visit."))),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    for person in participants {
        visit_participant::ActiveModel {
            visit_id: Set(visit.id),
            stakeholder_id: Set(*person),
        }
        .insert(db)
        .await
        .unwrap();
    }
    visit_finding::ActiveModel {
        visit_id: Set(visit.id),
        dimension: Set(EcosystemDimension::SocialClimate),
        note: Set("Staff and residents eat together.".to_owned()),
    }
    .insert(db)
    .await
    .unwrap();
    visit
}

/// Three visits with two participants each, to every facility.
pub async fn visits_everywhere(db: &DatabaseConnection) {
    let a = stakeholder(
        db,
        "Anna Practitioner",
        StakeholderKind::Practice,
        Some("be"),
    )
    .await;
    let b = stakeholder(db, "Bram Researcher", StakeholderKind::Research, Some("nl")).await;
    let be = workshop(db, "be").await;
    let facilities = facility::Entity::find()
        .order_by_asc(facility::Column::Id)
        .all(db)
        .await
        .unwrap();
    for f in facilities {
        for month in 1..=3 {
            visit(db, f.id, day(2025, month, 10), Some(be.id), &[a.id, b.id]).await;
        }
    }
}

pub async fn session(
    db: &DatabaseConnection,
    title: &str,
    on: NaiveDate,
    level: SessionLevel,
    topic: SessionTopic,
    participants: &[i32],
) -> learning_session::Model {
    let now = api::service::kernel::now();
    let session = learning_session::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        title: Set(title.to_owned()),
        held_on: Set(on),
        level: Set(level),
        country_code: Set((level == SessionLevel::National).then(|| "BE".to_owned())),
        topic: Set(topic),
        workshop_id: Set(None),
        outcomes: Set(Some(LocalizedText::english("Shared practices."))),
        search_text: Set(api::service::kernel::text::fold(title)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap();
    for person in participants {
        learning_session_participant::ActiveModel {
            session_id: Set(session.id),
            stakeholder_id: Set(*person),
        }
        .insert(db)
        .await
        .unwrap();
    }
    session
}

pub async fn guideline_version(
    db: &DatabaseConnection,
    key: &str,
    number: i32,
    status: GuidelineStatus,
    body: &str,
) -> guideline_version::Model {
    let guideline = guideline::Entity::find()
        .filter(guideline::Column::Key.eq(key))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let now = api::service::kernel::now();
    guideline_version::ActiveModel {
        uuid: Set(sea_orm::prelude::Uuid::now_v7()),
        guideline_id: Set(guideline.id),
        number: Set(number),
        status: Set(status),
        title: Set(format!("Version {number}")),
        body: Set(body.to_owned()),
        published_on: Set(None),
        search_text: Set(api::service::kernel::text::fold(body)),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .unwrap()
}

/// Registers a partner organisation and returns it.
pub async fn organisation(db: &DatabaseConnection, slug: &str) -> organisation::Model {
    api::service::organisation::ensure(db, slug).await.unwrap();
    organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(slug))
        .one(db)
        .await
        .unwrap()
        .unwrap()
}

/// Hands a facility to a partner organisation.
pub async fn maintain(
    db: &DatabaseConnection,
    slug: &str,
    org: &organisation::Model,
) -> facility::Model {
    let mut model: facility::ActiveModel = facility(db, slug).await.into();
    model.maintained_by_id = Set(Some(org.id));
    model.update(db).await.unwrap()
}

/// Every row of every table a write touches, as JSON: equal before and after
/// means a refused write left nothing behind.
pub async fn state(db: &DatabaseConnection) -> Vec<serde_json::Value> {
    macro_rules! rows {
        ($($entity:ident),+) => {{
            let mut all = Vec::new();
            $(
                all.extend(
                    $entity::Entity::find()
                        .into_json()
                        .all(db)
                        .await
                        .unwrap(),
                );
            )+
            all
        }};
    }
    let mut all = rows!(
        facility,
        facility_principle,
        facility_ecosystem_note,
        visit,
        visit_participant,
        visit_finding,
        learning_session,
        learning_session_participant,
        stakeholder,
        workshop_membership,
        competence_area,
        competence,
        competence_resource,
        competence_learning_session,
        competence_guideline_version,
        guideline_version,
        guideline_version_visit,
        guideline_version_session,
        audit_event
    );
    all.extend(rows!(organisation, api_token, proposal));
    all.extend(rows!(
        guideline_rule,
        guideline_rule_visit,
        guideline_rule_session,
        guideline_rule_resource,
        knowledge_workshop,
        workshop_principle,
        workshop_theme,
        consultation_comment
    ));
    all.sort_by_key(|v| v.to_string());
    all
}

/// Slugs of the demo facilities, in slug order.
pub async fn facility_slugs(db: &DatabaseConnection) -> Vec<String> {
    facility::Entity::find()
        .order_by_asc(facility::Column::Slug)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.slug)
        .collect()
}
