//! Server URLs as they may appear in errors and debug output: without the
//! password (or token) they may carry.

/// `url` with the secret part of its user-info replaced by `***`:
/// `redis://user:pw@host` → `redis://user:***@host`, `redis://:pw@host` →
/// `redis://:***@host`, and a lone `nats://token@host` → `nats://***@host`
/// (a bare user-info is a token for NATS and a password for Redis). Text
/// that is not a URL loses everything before its last `@`.
pub(crate) fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        // Not a URL: hide whatever stands before an `@`, it may be a secret.
        return match url.rfind('@') {
            Some(at) => format!("***{}", &url[at..]),
            None => url.to_string(),
        };
    };
    let rest_start = scheme_end + 3;
    let rest = &url[rest_start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else { return url.to_string() };
    let userinfo = &authority[..at];
    let shown = match userinfo.find(':') {
        Some(colon) => format!("{}:***", &userinfo[..colon]),
        None => "***".to_string(),
    };
    format!("{}{}{}", &url[..rest_start], shown, &rest[at..])
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_and_tokens_are_hidden() {
        assert_eq!(redact("redis://user:s3cret@127.0.0.1:6379/0"), "redis://user:***@127.0.0.1:6379/0");
        assert_eq!(redact("redis://:s3cret@h:1"), "redis://:***@h:1");
        assert_eq!(redact("nats://tok3n@h:4222"), "nats://***@h:4222");
        assert_eq!(redact("nats://a:b:c@h"), "nats://a:***@h");
        assert_eq!(redact("redis://h:1/0?x=a@b"), "redis://h:1/0?x=a@b");
        assert_eq!(redact("redis://h:1"), "redis://h:1");
        assert_eq!(redact("not a url"), "not a url");
        assert_eq!(redact("redis//hunter2@nowhere"), "***@nowhere");
    }
}
