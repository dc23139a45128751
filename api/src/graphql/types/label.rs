//! The languages the API serves, and the label of every enumeration value a
//! reader sees, in each of them: the one table of those texts, which `/map`
//! and partners' pages read through `labels(lang:)` instead of keeping their
//! own. Each table is an exhaustive `match`, so a new enum value does not
//! compile without its four labels.

use std::sync::LazyLock;

use async_graphql::resolver_utils::EnumType;
use async_graphql::{Enum, OutputType, SimpleObject};

use super::consultation::{ConsultationAnswerMark, ConsultationCommentStatus};
use super::facility::{
    EcosystemDimension, FacilityStatus, FacilityType, LocationPrecision, ManagedBy, Population,
    Principle, RefScheme, Regime, SecurityLevel, TargetAge, TargetGender,
};
use super::guideline::GuidelineStatus;
use super::learning_session::{SessionLevel, SessionTopic};
use super::proposal::{ProposalKind, ProposalStatus};
use super::resource::ResourceKind;
use super::source::FacilityFact;
use super::stakeholder::{AgeBand, Discipline, Gender, StakeholderKind};
use super::workshop::{AgendaActivityKind, AgendaActivityStatus, MemberRole, WorkshopPrinciple};
use crate::graphql::context::Lang;

/// A language the API serves prose and labels in.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "crate::graphql::context::Lang")]
pub enum Language {
    /// English, the reference language: what other languages fall back to.
    En,
    /// French.
    Fr,
    /// Dutch.
    Nl,
    /// Spanish.
    Es,
}

/// The label of one enumeration value in one language.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct EnumLabel {
    /// The enumeration's name in this schema (for example `FacilityType`).
    #[graphql(name = "enum")]
    pub enumeration: String,
    /// The value as the API writes it (for example `DETENTION_HOUSE`), in
    /// GraphQL and in the `type`, `status`, ... properties of the GeoJSON.
    pub value: String,
    /// What a reader sees, in the language asked for (for example `Detentiehuis`).
    pub label: String,
}

/// The labels of one value, in English, French, Dutch and Spanish.
struct Texts {
    en: &'static str,
    fr: &'static str,
    nl: &'static str,
    es: &'static str,
}

impl Texts {
    fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.en,
            Lang::Fr => self.fr,
            Lang::Nl => self.nl,
            Lang::Es => self.es,
        }
    }
}

/// An enumeration whose values have labels.
trait Labelled: EnumType + OutputType {
    fn texts(self) -> Texts;
}

/// Writes the labels of an enumeration as one exhaustive `match`, a value a
/// line: `Value => [english, french, dutch, spanish]`.
macro_rules! labels {
    ($enumeration:ident { $($value:ident => [$en:literal, $fr:literal, $nl:literal, $es:literal]),+ $(,)? }) => {
        impl Labelled for $enumeration {
            fn texts(self) -> Texts {
                match self {
                    $(Self::$value => Texts { en: $en, fr: $fr, nl: $nl, es: $es },)+
                }
            }
        }
    };
}

// Belgium's own words where the project uses them: "detentiehuis" and
// "transitiehuis", "maison de détention" and "maison de transition"; the
// project's Dutch texts name the ecosystem's dimensions and its kinds of
// stakeholders.
labels!(FacilityType {
    DetentionHouse => ["Detention house", "Maison de détention", "Detentiehuis", "Casa de detención"],
    TransitionHouse => ["Transition house", "Maison de transition", "Transitiehuis", "Casa de transición"],
    YouthSmallScale => ["Small-scale youth facility", "Structure pour jeunes à petite échelle", "Kleinschalige voorziening voor jongeren", "Centro de pequeña escala para jóvenes"],
    CommunityCustodyUnit => ["Community custody unit", "Unité de détention de proximité", "Gemeenschapsgeïntegreerde detentie-eenheid", "Unidad de custodia comunitaria"],
    HalfwayHouse => ["Halfway house", "Foyer de réinsertion", "Halfweghuis", "Casa de medio camino"],
    OpenPrison => ["Small open prison", "Petite prison ouverte", "Kleine open gevangenis", "Pequeña prisión abierta"],
    MotherChildUnit => ["Mother and child unit", "Unité mère-enfant", "Moeder-kindafdeling", "Unidad de madres"],
    Other => ["Other", "Autre", "Andere", "Otro"],
});

labels!(FacilityStatus {
    Open => ["Open", "Ouvert", "Open", "Abierto"],
    Planned => ["Planned", "En projet", "Gepland", "Previsto"],
    Closed => ["Closed", "Fermé", "Gesloten", "Cerrado"],
});

labels!(ManagedBy {
    NationalPrisonAdministration => ["National prison administration", "Administration pénitentiaire nationale", "Nationale gevangenisadministratie", "Administración penitenciaria nacional"],
    OtherPublic => ["Other public body", "Autre organisme public", "Andere overheidsinstantie", "Otro organismo público"],
    Ngo => ["NGO", "ONG", "Ngo", "ONG"],
    Private => ["Private operator", "Opérateur privé", "Private organisatie", "Operador privado"],
});

labels!(Population {
    Men => ["Men", "Hommes", "Mannen", "Hombres"],
    Women => ["Women", "Femmes", "Vrouwen", "Mujeres"],
    Mixed => ["Men and women", "Hommes et femmes", "Mannen en vrouwen", "Hombres y mujeres"],
    Youth => ["Young people", "Jeunes", "Jongeren", "Jóvenes"],
});

labels!(TargetGender {
    Men => ["Men", "Hommes", "Mannen", "Hombres"],
    Women => ["Women", "Femmes", "Vrouwen", "Mujeres"],
    Mixed => ["Men and women", "Hommes et femmes", "Mannen en vrouwen", "Hombres y mujeres"],
});

labels!(TargetAge {
    Adults => ["Adults", "Adultes", "Volwassenen", "Adultos"],
    Youth => ["Minors", "Mineurs", "Minderjarigen", "Menores"],
    YoungAdults => ["Young adults", "Jeunes adultes", "Jongvolwassenen", "Jóvenes adultos"],
    All => ["All ages", "Tous âges", "Alle leeftijden", "Todas las edades"],
});

labels!(Regime {
    Open => ["Open", "Ouvert", "Open", "Abierto"],
    SemiOpen => ["Semi-open", "Semi-ouvert", "Halfopen", "Semiabierto"],
    Closed => ["Closed", "Fermé", "Gesloten", "Cerrado"],
});

labels!(LocationPrecision {
    Exact => ["Exact position", "Position exacte", "Exacte locatie", "Ubicación exacta"],
    Street => ["Street", "Rue", "Straat", "Calle"],
    City => ["City", "Ville", "Stad", "Ciudad"],
    Region => ["Region", "Région", "Regio", "Región"],
});

labels!(RefScheme {
    Rescaled => ["RESCALED", "RESCALED", "RESCALED", "RESCALED"],
    PrisonInsider => ["Prison Insider", "Prison Insider", "Prison Insider", "Prison Insider"],
    Wikidata => ["Wikidata", "Wikidata", "Wikidata", "Wikidata"],
    Osm => ["OpenStreetMap", "OpenStreetMap", "OpenStreetMap", "OpenStreetMap"],
    Other => ["Other register", "Autre registre", "Ander register", "Otro registro"],
});

labels!(FacilityFact {
    Name => ["Name", "Nom", "Naam", "Nombre"],
    Location => ["Location", "Emplacement", "Locatie", "Ubicación"],
    FacilityType => ["Type of facility", "Type d’établissement", "Type voorziening", "Tipo de centro"],
    Status => ["Status", "Statut", "Status", "Estado"],
    Capacity => ["Capacity", "Capacité", "Capaciteit", "Capacidad"],
    OpenedYear => ["Year opened", "Année d’ouverture", "Jaar van opening", "Año de apertura"],
    Operator => ["Operator", "Gestionnaire", "Uitbater", "Operador"],
    ManagedBy => ["Managed by", "Géré par", "Beheerd door", "Gestionado por"],
    Population => ["Population", "Population", "Bewoners", "Población"],
    TargetAge => ["Target age", "Âge visé", "Doelgroep naar leeftijd", "Edad destinataria"],
    Regime => ["Regime", "Régime", "Regime", "Régimen"],
    SecurityLevel => ["Security level", "Niveau de sécurité", "Beveiligingsniveau", "Nivel de seguridad"],
    Principles => ["Principles", "Principes", "Principes", "Principios"],
    SocialEnterprise => ["Social enterprise", "Entreprise sociale", "Sociale onderneming", "Empresa social"],
    Description => ["Description", "Description", "Beschrijving", "Descripción"],
    Ecosystem => ["Ecosystem", "Écosystème", "Ecosysteem", "Ecosistema"],
});

labels!(SecurityLevel {
    Low => ["Low", "Faible", "Laag", "Baja"],
    Medium => ["Medium", "Moyen", "Gemiddeld", "Media"],
    High => ["High", "Élevé", "Hoog", "Alta"],
});

labels!(Principle {
    SmallScale => ["Small scale", "Petite échelle", "Kleinschaligheid", "Pequeña escala"],
    Differentiation => ["Differentiation", "Différenciation", "Differentiatie", "Diferenciación"],
    CommunityIntegration => ["Community integration", "Intégration dans la communauté", "Gemeenschapsintegratie", "Integración en la comunidad"],
});

labels!(EcosystemDimension {
    Architecture => ["Architecture", "Architecture", "Architectuur", "Arquitectura"],
    SocialClimate => ["Social climate", "Climat social", "Sociaal klimaat", "Clima social"],
    Security => ["Security", "Sécurité", "Veiligheid", "Seguridad"],
    CommunityIntegration => ["Community integration", "Intégration dans la communauté", "Gemeenschapsintegratie", "Integración en la comunidad"],
    Sustainability => ["Sustainability", "Durabilité", "Duurzaamheid", "Sostenibilidad"],
    Work => ["Work", "Travail", "Werk", "Trabajo"],
    IndividualNeeds => ["Individual needs", "Besoins individuels", "Individuele behoeften", "Necesidades individuales"],
    StaffWellbeing => ["Staff wellbeing", "Bien-être du personnel", "Welzijn van het personeel", "Bienestar del personal"],
    Technology => ["Technology", "Technologie", "Technologie", "Tecnología"],
});

labels!(SessionLevel {
    National => ["National", "National", "Nationaal", "Nacional"],
    European => ["European", "Européen", "Europees", "Europeo"],
});

labels!(SessionTopic {
    Ecosystem => ["Ecosystem", "Écosystème", "Ecosysteem", "Ecosistema"],
    RelationalSecurity => ["Relational security", "Sécurité relationnelle", "Relationele veiligheid", "Seguridad relacional"],
});

labels!(WorkshopPrinciple {
    FutureOriented => ["Future-oriented", "Tourné vers l’avenir", "Toekomstgericht", "Orientado al futuro"],
    InclusiveMultidisciplinary => ["Inclusive and multidisciplinary", "Inclusif et multidisciplinaire", "Inclusief multidisciplinair", "Inclusivo y multidisciplinar"],
    Collaboration => ["Collaboration", "Collaboration", "Samenwerking", "Colaboración"],
    AddedValue => ["Added value", "Valeur ajoutée", "Toegevoegde waarde", "Valor añadido"],
    ConnectingTheDots => ["Connecting the dots", "Relier les points", "Connecting the dots", "Conectar los puntos"],
    EyeForThePublic => ["An eye for the public", "Attention au public", "Oog voor het publiek", "Atención al público"],
});

labels!(AgendaActivityKind {
    LastingConnection => ["Lasting connection", "Lien durable", "Duurzame verbinding", "Conexión duradera"],
    Research => ["Research", "Recherche", "Onderzoek", "Investigación"],
    SpreadingKnowledge => ["Spreading knowledge", "Diffusion des connaissances", "Verspreiding van kennis", "Difusión del conocimiento"],
    PolicyDevelopment => ["Policy development", "Élaboration des politiques", "Beleidsontwikkeling", "Desarrollo de políticas"],
    StakeholderSupport => ["Advice and support to stakeholders", "Conseil et soutien aux parties prenantes", "Advies/ondersteuning van belanghebbenden", "Asesoramiento y apoyo a las partes interesadas"],
    ChangingPerceptionOfSanctions => ["Changing how sanctions are perceived", "Changer la perception des sanctions", "Verandering van de perceptie van sancties", "Cambiar la percepción de las sanciones"],
});

labels!(AgendaActivityStatus {
    Planned => ["Planned", "Prévue", "Gepland", "Prevista"],
    UnderWay => ["Under way", "En cours", "Lopend", "En curso"],
    Done => ["Done", "Réalisée", "Afgerond", "Realizada"],
    Dropped => ["Dropped", "Abandonnée", "Geschrapt", "Descartada"],
});

labels!(StakeholderKind {
    Practice => ["Practice", "Pratique", "Praktijk", "Práctica"],
    Policy => ["Policy", "Politique publique", "Beleid", "Políticas públicas"],
    Research => ["Research", "Recherche", "Wetenschap", "Investigación"],
    LivedExperience => ["Lived experience", "Expérience vécue", "Ervaringsdeskundigen", "Experiencia vivida"],
    Education => ["Education", "Enseignement", "Onderwijs", "Educación"],
    Community => ["Community", "Communauté", "Gemeenschap", "Comunidad"],
});

labels!(GuidelineStatus {
    Draft => ["Draft", "Projet", "Ontwerp", "Borrador"],
    Consultation => ["Consultation", "Consultation", "Consultatie", "Consulta"],
    Adopted => ["Adopted", "Adopté", "Aangenomen", "Adoptado"],
});

labels!(ProposalKind {
    Change => ["Change", "Modification", "Wijziging", "Cambio"],
    NewFacility => ["New facility", "Nouvel établissement", "Nieuwe voorziening", "Nuevo centro"],
});

labels!(ProposalStatus {
    Pending => ["Pending", "En attente", "In behandeling", "Pendiente"],
    Approved => ["Approved", "Approuvée", "Goedgekeurd", "Aprobada"],
    Rejected => ["Rejected", "Refusée", "Afgewezen", "Rechazada"],
    Withdrawn => ["Withdrawn", "Retirée", "Ingetrokken", "Retirada"],
});

labels!(ResourceKind {
    Report => ["Report", "Rapport", "Rapport", "Informe"],
    Study => ["Study", "Étude", "Studie", "Estudio"],
    Article => ["Article", "Article", "Artikel", "Artículo"],
    Book => ["Book", "Livre", "Boek", "Libro"],
    Video => ["Video", "Vidéo", "Video", "Vídeo"],
    Podcast => ["Podcast", "Podcast", "Podcast", "Pódcast"],
    Toolkit => ["Toolkit", "Boîte à outils", "Toolkit", "Caja de herramientas"],
    TrainingMaterial => ["Training material", "Matériel de formation", "Opleidingsmateriaal", "Material de formación"],
    PolicyText => ["Policy text", "Texte de politique publique", "Beleidstekst", "Texto normativo"],
    Dataset => ["Dataset", "Jeu de données", "Dataset", "Conjunto de datos"],
    Other => ["Other", "Autre", "Andere", "Otro"],
});

labels!(ConsultationCommentStatus {
    Open => ["Open", "Ouvert", "Open", "Abierto"],
    Accepted => ["Accepted", "Accepté", "Aanvaard", "Aceptado"],
    PartlyAccepted => ["Partly accepted", "Partiellement accepté", "Gedeeltelijk aanvaard", "Aceptado en parte"],
    NotAccepted => ["Not accepted", "Non accepté", "Niet aanvaard", "No aceptado"],
    OutOfScope => ["Out of scope", "Hors du champ", "Buiten het bestek", "Fuera del ámbito"],
    Withdrawn => ["Withdrawn", "Retiré", "Ingetrokken", "Retirado"],
});

labels!(ConsultationAnswerMark {
    Accepted => ["Accepted", "Accepté", "Aanvaard", "Aceptado"],
    PartlyAccepted => ["Partly accepted", "Partiellement accepté", "Gedeeltelijk aanvaard", "Aceptado en parte"],
    NotAccepted => ["Not accepted", "Non accepté", "Niet aanvaard", "No aceptado"],
    OutOfScope => ["Out of scope", "Hors du champ", "Buiten het bestek", "Fuera del ámbito"],
});

labels!(MemberRole {
    Coordinator => ["Coordinator", "Coordinateur", "Coördinator", "Coordinador"],
    Partner => ["Partner", "Partenaire", "Partner", "Socio"],
    Member => ["Member", "Membre", "Lid", "Miembro"],
});

labels!(Discipline {
    Law => ["Law", "Droit", "Recht", "Derecho"],
    Criminology => ["Criminology", "Criminologie", "Criminologie", "Criminología"],
    Psychology => ["Psychology", "Psychologie", "Psychologie", "Psicología"],
    SocialWork => ["Social work", "Travail social", "Sociaal werk", "Trabajo social"],
    HealthCare => ["Health care", "Soins de santé", "Gezondheidszorg", "Atención sanitaria"],
    Education => ["Education", "Éducation", "Onderwijs", "Educación"],
    Architecture => ["Architecture", "Architecture", "Architectuur", "Arquitectura"],
    PublicAdministration => ["Public administration", "Administration publique", "Openbaar bestuur", "Administración pública"],
    Security => ["Security", "Sécurité", "Veiligheid", "Seguridad"],
    Other => ["Other", "Autre", "Andere", "Otra"],
});

labels!(Gender {
    Woman => ["Woman", "Femme", "Vrouw", "Mujer"],
    Man => ["Man", "Homme", "Man", "Hombre"],
    NonBinary => ["Non-binary", "Non binaire", "Non-binair", "No binario"],
    Other => ["Another gender", "Autre genre", "Ander gender", "Otro género"],
});

labels!(AgeBand {
    Under25 => ["Under 25", "Moins de 25 ans", "Jonger dan 25", "Menos de 25"],
    From25To34 => ["25 to 34", "25 à 34 ans", "25 tot 34", "De 25 a 34"],
    From35To44 => ["35 to 44", "35 à 44 ans", "35 tot 44", "De 35 a 44"],
    From45To54 => ["45 to 54", "45 à 54 ans", "45 tot 54", "De 45 a 54"],
    From55To64 => ["55 to 64", "55 à 64 ans", "55 tot 64", "De 55 a 64"],
    From65 => ["65 and over", "65 ans et plus", "65 en ouder", "65 o más"],
});

// Each language in its own name, in every language, so that a switch can
// say "Nederlands" to a Dutch reader and "Dutch" to an English one.
labels!(Language {
    En => ["English", "Anglais", "Engels", "Inglés"],
    Fr => ["French", "Français", "Frans", "Francés"],
    Nl => ["Dutch", "Néerlandais", "Nederlands", "Neerlandés"],
    Es => ["Spanish", "Espagnol", "Spaans", "Español"],
});

/// The labels of every value of `E`, in the order of the schema.
fn labels_of<E: Labelled>(lang: Lang, out: &mut Vec<EnumLabel>) {
    let enumeration = E::type_name().into_owned();
    out.extend(E::items().iter().map(|item| EnumLabel {
        enumeration: enumeration.clone(),
        value: item.name.to_owned(),
        label: item.value.texts().get(lang).to_owned(),
    }));
}

/// How many labels a language has: the length of `labels(lang:)`.
#[must_use]
pub fn count() -> usize {
    static COUNT: LazyLock<usize> = LazyLock::new(|| all(Lang::En).len());
    *COUNT
}

/// Every label in `lang`, enumeration by enumeration.
#[must_use]
pub fn all(lang: Lang) -> Vec<EnumLabel> {
    let mut out = Vec::with_capacity(100);
    labels_of::<FacilityType>(lang, &mut out);
    labels_of::<FacilityStatus>(lang, &mut out);
    labels_of::<ManagedBy>(lang, &mut out);
    labels_of::<Population>(lang, &mut out);
    labels_of::<TargetGender>(lang, &mut out);
    labels_of::<TargetAge>(lang, &mut out);
    labels_of::<Regime>(lang, &mut out);
    labels_of::<LocationPrecision>(lang, &mut out);
    labels_of::<RefScheme>(lang, &mut out);
    labels_of::<FacilityFact>(lang, &mut out);
    labels_of::<SecurityLevel>(lang, &mut out);
    labels_of::<Principle>(lang, &mut out);
    labels_of::<EcosystemDimension>(lang, &mut out);
    labels_of::<SessionLevel>(lang, &mut out);
    labels_of::<SessionTopic>(lang, &mut out);
    labels_of::<WorkshopPrinciple>(lang, &mut out);
    labels_of::<AgendaActivityKind>(lang, &mut out);
    labels_of::<AgendaActivityStatus>(lang, &mut out);
    labels_of::<StakeholderKind>(lang, &mut out);
    labels_of::<MemberRole>(lang, &mut out);
    labels_of::<Discipline>(lang, &mut out);
    labels_of::<Gender>(lang, &mut out);
    labels_of::<AgeBand>(lang, &mut out);
    labels_of::<GuidelineStatus>(lang, &mut out);
    labels_of::<ProposalKind>(lang, &mut out);
    labels_of::<ProposalStatus>(lang, &mut out);
    labels_of::<ResourceKind>(lang, &mut out);
    labels_of::<ConsultationCommentStatus>(lang, &mut out);
    labels_of::<ConsultationAnswerMark>(lang, &mut out);
    labels_of::<Language>(lang, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::{Lang, all};

    /// Enumerations that name parts of the API's machinery (roles, permissions,
    /// sort orders, the change feed, diffs, webhook deliveries), not facts a reader is shown.
    const MACHINERY: [&str; 13] = [
        "ActorRole",
        "ChangeAction",
        "ChangeEntity",
        "DiffLineKind",
        "FacilityOrder",
        "Permission",
        "ResourceOrder",
        "RuleChangeField",
        "RuleChangeKind",
        "TokenRole",
        "TokenStatus",
        "ViewerRole",
        "WebhookDeliveryStatus",
    ];

    /// Every value of every enumeration of the schema, but the machinery's and
    /// the introspection's.
    fn schema_values() -> BTreeSet<(String, String)> {
        let sdl = crate::graphql::schema::sdl();
        let mut values = BTreeSet::new();
        let mut current: Option<String> = None;
        let mut in_description = false;
        for line in sdl.lines() {
            let line = line.trim();
            if line.starts_with("\"\"\"") {
                let one_line = line.len() > 6 && line.ends_with("\"\"\"");
                in_description ^= !one_line;
                continue;
            }
            if in_description {
                continue;
            }
            if let Some(rest) = line.strip_prefix("enum ") {
                let name = rest.trim_end_matches('{').trim().to_owned();
                current = (!MACHINERY.contains(&name.as_str())).then_some(name);
            } else if line == "}" {
                current = None;
            } else if let Some(name) = &current
                && !line.is_empty()
                && line
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                values.insert((name.clone(), line.to_owned()));
            }
        }
        values
    }

    #[test]
    fn every_value_a_reader_sees_has_a_label_in_every_language() {
        let wanted = schema_values();
        assert!(
            wanted.len() > 50,
            "the schema's enumerations were read: {wanted:?}"
        );
        for lang in Lang::ALL {
            let labels = all(lang);
            let labelled: BTreeSet<(String, String)> = labels
                .iter()
                .map(|l| (l.enumeration.clone(), l.value.clone()))
                .collect();
            assert_eq!(
                labelled, wanted,
                "{lang:?}: the labelled values are the schema's"
            );
            assert_eq!(labels.len(), labelled.len(), "{lang:?}: each value once");
            for label in &labels {
                assert!(
                    !label.label.trim().is_empty() && label.label.trim() == label.label,
                    "{lang:?} {}.{}: {:?}",
                    label.enumeration,
                    label.value,
                    label.label
                );
            }
        }
    }

    #[test]
    fn the_values_of_one_enumeration_have_distinct_labels() {
        for lang in Lang::ALL {
            let mut seen: BTreeMap<(String, String), String> = BTreeMap::new();
            for label in all(lang) {
                let key = (label.enumeration.clone(), label.label.clone());
                if let Some(other) = seen.insert(key, label.value.clone()) {
                    panic!(
                        "{lang:?}: {} {} and {other} are both {:?}",
                        label.enumeration, label.value, label.label
                    );
                }
            }
        }
    }

    #[test]
    fn the_project_s_own_words_are_kept() {
        let label = |lang, value: &str| {
            all(lang)
                .into_iter()
                .find(|l| l.enumeration == "FacilityType" && l.value == value)
                .map(|l| l.label)
        };
        assert_eq!(
            label(Lang::Nl, "DETENTION_HOUSE").as_deref(),
            Some("Detentiehuis")
        );
        assert_eq!(
            label(Lang::Fr, "DETENTION_HOUSE").as_deref(),
            Some("Maison de détention")
        );
        assert_eq!(
            label(Lang::Nl, "TRANSITION_HOUSE").as_deref(),
            Some("Transitiehuis")
        );
    }
}
