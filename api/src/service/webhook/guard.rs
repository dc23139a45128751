//! Where a webhook may be sent: a public `https://` address, unless the
//! operator allows plain HTTP or non-public addresses. An endpoint's URL is
//! checked when it is saved and again at each delivery, on the addresses its
//! name resolves to then; the request connects to one of those checked
//! addresses only, so a name that resolves elsewhere a moment later (DNS
//! rebinding) gets nowhere.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// What the operator allows beyond public HTTPS addresses.
#[derive(Debug, Clone, Copy, Default)]
pub struct Allow {
    pub private_addresses: bool,
    pub http: bool,
}

/// Longest URL, in bytes.
const MAX_URL: usize = 2000;

/// Why a URL is refused, in words for its owner.
pub type Refusal = String;

/// Checks the form of a URL: scheme, no credentials, a host, and a literal
/// address (if it is one) that is public.
///
/// # Errors
/// Why it is refused.
pub fn parse(raw: &str, allow: Allow) -> Result<Url, Refusal> {
    let raw = raw.trim();
    if raw.len() > MAX_URL {
        return Err(format!("at most {MAX_URL} characters"));
    }
    let url = Url::parse(raw).map_err(|e| format!("not a URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow.http => {}
        "http" => {
            return Err(
                "use an `https://` URL: this server sends webhooks over HTTPS only".to_owned(),
            );
        }
        _ => return Err("use an `https://` URL".to_owned()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("a URL with a user name or password is refused: authenticate deliveries by their signature".to_owned());
    }
    if url.fragment().is_some() {
        return Err("a URL with a fragment (`#…`) is refused".to_owned());
    }
    let literal = match url.host() {
        None => return Err("the URL names no host".to_owned()),
        Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
        Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
        Some(Host::Domain(_)) => None,
    };
    if let Some(ip) = literal {
        check_address(ip, allow)?;
    }
    Ok(url)
}

/// Resolves the URL's host and checks every address it resolves to; the
/// answer is the address to connect to.
///
/// # Errors
/// Why it is refused: it does not resolve, or to a non-public address.
pub async fn resolve(url: &Url, allow: Allow) -> Result<SocketAddr, Refusal> {
    let port = url
        .port_or_known_default()
        .ok_or_else(|| "the URL has no port".to_owned())?;
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Some(Host::Domain(name)) => tokio::net::lookup_host((name, port))
            .await
            .map_err(|_| format!("the host `{name}` does not resolve"))?
            .collect(),
        None => return Err("the URL names no host".to_owned()),
    };
    // Every address must pass: a name that also resolves inside the network
    // could be answered with that address next time.
    for address in &addresses {
        check_address(address.ip(), allow)?;
    }
    addresses
        .first()
        .copied()
        .ok_or_else(|| "the host resolves to no address".to_owned())
}

/// # Errors
/// Why the address is not one webhooks are sent to.
pub fn check_address(ip: IpAddr, allow: Allow) -> Result<(), Refusal> {
    if allow.private_addresses || is_public(ip) {
        Ok(())
    } else {
        Err(format!(
            "`{ip}` is not a public address (loopback, private, link-local, shared or reserved): webhooks are sent to public addresses only"
        ))
    }
}

/// Whether an address is reachable on the public internet, as far as its
/// range tells.
#[must_use]
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240; // reserved
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    // The IPv4 forms reach IPv4 hosts: judge the address they carry.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    // IPv4-compatible (::a.b.c.d), deprecated but still routed by some stacks.
    if segments[..6].iter().all(|s| *s == 0) && !ip.is_loopback() && !ip.is_unspecified() {
        let [.., hi, lo] = segments;
        return is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    // NAT64 (64:ff9b::/96) translates to the IPv4 address in its last 32 bits.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., hi, lo] = segments;
        return is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    // 6to4 (2002::/16) carries an IPv4 address in bits 16..48.
    if segments[0] == 0x2002 {
        return is_public_v4(Ipv4Addr::from(
            (u32::from(segments[1]) << 16) | u32::from(segments[2]),
        ));
    }
    let refused = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (segments[0] & 0xfe00) == 0xfc00 // unique local
        || (segments[0] & 0xffc0) == 0xfe80 // link-local
        || (segments[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
        || (segments[0] == 0x2001 && segments[1] == 0x0db8) // documentation
        || (segments[0] == 0x2001 && segments[1] == 0); // Teredo
    !refused
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().expect("address"))
    }

    #[test]
    fn non_public_ranges_are_refused() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
        ] {
            assert!(!public(ip), "{ip} passed as public");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "93.184.215.14",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(public(ip), "{ip} refused");
        }
    }

    #[test]
    fn urls_are_checked_for_form_and_literal_addresses() {
        let strict = Allow::default();
        assert!(parse("https://example.org/hook", strict).is_ok());
        assert!(parse("http://example.org/hook", strict).is_err());
        assert!(parse("https://user:pw@example.org/", strict).is_err());
        assert!(parse("https://127.0.0.1/", strict).is_err());
        assert!(parse("https://[::ffff:10.0.0.1]/", strict).is_err());
        assert!(parse("ftp://example.org/", strict).is_err());
        let open = Allow {
            private_addresses: true,
            http: true,
        };
        assert!(parse("http://127.0.0.1:8080/hook", open).is_ok());
    }
}
