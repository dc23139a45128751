//! ISO 3166-1 alpha-2 country codes.

/// Every officially assigned ISO 3166-1 alpha-2 code.
const CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG \
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The code in upper case if it is an assigned ISO 3166-1 alpha-2 code.
#[must_use]
pub fn normalize(code: &str) -> Option<String> {
    let upper = code.trim().to_ascii_uppercase();
    (upper.len() == 2 && CODES.split(' ').any(|c| c == upper)).then_some(upper)
}

/// Every code normalised, or `BAD_USER_INPUT` on `field` naming the first bad one.
///
/// # Errors
/// A code that is not assigned.
pub fn normalize_all(codes: &[String], field: &str) -> Result<Vec<String>, crate::error::AppError> {
    codes
        .iter()
        .map(|code| {
            normalize(code).ok_or_else(|| {
                crate::error::AppError::bad_input(
                    field,
                    format!("`{code}` is not an ISO 3166-1 alpha-2 country code (for example BE, FR, NL)"),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn normalize_accepts_assigned_codes_in_any_case() {
        assert_eq!(normalize("be").as_deref(), Some("BE"));
        assert_eq!(normalize("GB").as_deref(), Some("GB"));
    }

    #[test]
    fn normalize_rejects_unassigned_codes() {
        assert_eq!(normalize("EL"), None);
        assert_eq!(normalize("UK"), None);
        assert_eq!(normalize("BEL"), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn codes_list_has_every_assigned_code() {
        assert_eq!(super::CODES.split(' ').count(), 249);
    }
}
