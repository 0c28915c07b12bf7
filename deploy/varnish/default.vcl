#
# Varnish 7.x in front of the data platform: a shared cache for the /cdn/ paths only.
#
# The backend is a template: render it before loading, e.g.
#   BACKEND_HOST=app BACKEND_PORT=3000 envsubst '${BACKEND_HOST} ${BACKEND_PORT}' \
#     < deploy/varnish/default.vcl > /etc/varnish/default.vcl
# (or sed -e "s/\${BACKEND_HOST}/app/" -e "s/\${BACKEND_PORT}/3000/"). Name the variables to
# envsubst as above: the regexes below hold "$" too. Varnish resolves the host once, when it loads
# the VCL: it must resolve then, to a single address.
#
# Purging: the service (VarnishCdnPurger: CDN_PROVIDERS=varnish, VARNISH_URL) sends
#   BAN / HTTP/1.1
#   X-Ban-Path: ^(?:/cdn/files/<id>/<version>|/cdn/thumbnails/<id>)(?:\?|$)
# from an address in the "purgers" ACL below; every cached URL (query string included) matching
# the regex is banned. Bans test only obj.http.x-url, so the ban lurker evicts them in the
# background and the ban list stays short.
#
vcl 4.1;

import std;

backend origin {
    .host = "${BACKEND_HOST}";
    .port = "${BACKEND_PORT}";
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

# Who may ban. Add the service's address when it does not run on the Varnish host.
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.X-Ban-Path) {
            return (synth(400, "X-Ban-Path required"));
        }
        # Whitespace or quotes would end the regex operand and start another ban condition.
        if (req.http.X-Ban-Path ~ {"[\s"]"}) {
            return (synth(400, "X-Ban-Path must hold no whitespace or quote"));
        }
        if (std.ban("obj.http.x-url ~ " + req.http.X-Ban-Path)) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }

    # Everything but the CDN paths goes to the service untouched: API, uploads, signed downloads.
    if (req.url !~ "^/cdn/") {
        return (pass);
    }

    # CDN content is public or signed in the query string, never personalised by a cookie: without
    # this a browser's cookie for the same host would make every request a pass.
    unset req.http.Cookie;
    # The cache key stays req.url + Host (builtin vcl_hash): the query string is part of it, since
    # signed URLs of private files differ only there. The builtin vcl_recv decides the rest
    # (GET/HEAD only, Authorization means pass).
}

sub vcl_backend_response {
    # For lurker-friendly bans: they can only test the object, not the request that fetched it.
    set beresp.http.x-url = bereq.url;
    # Falling through to the builtin vcl_backend_response keeps the origin's word: no-store,
    # private, no-cache, Set-Cookie, Vary: * are not cached; max-age / s-maxage set the TTL.
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_synth {
    if (req.method == "BAN") {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.body = resp.reason + {"
"};
        return (deliver);
    }
}
