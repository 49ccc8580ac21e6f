# Varnish in front of the bench origin, rendered by scripts/bench/configs.ts.
# The builtin VCL does the rest: the key is the URL with its query string
# and the TTL comes from the origin's Cache-Control: max-age.
vcl 4.1;

import std;

backend origin {
    .host = "127.0.0.1";
    .port = "{{ORIGIN_PORT}}";
}

sub vcl_backend_response {
    # The same object size limit as the other proxies.
    if (std.integer(beresp.http.Content-Length, 0) > {{MAX_OBJECT_BYTES}}) {
        set beresp.uncacheable = true;
        return (deliver);
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
