package io.vmafx.core.serve;

import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobState;
import io.vmafx.spi.jobstore.StoredJob;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The query of {@code GET /v1/jobs}, read strictly: {@code limit} (a whole number, 1 to the most a page holds),
 * {@code state} (queued, running, succeeded, failed or cancelled) and {@code cursor} (the {@code next_cursor} of the
 * page before). Anything else, or a parameter twice, is a {@link BadRequest} naming it; what the client sent is
 * never echoed beyond a short, printable excerpt.
 */
final class ListQuery {

    private ListQuery() {
    }

    static JobQuery parse(String query, int defaultLimit, int maxLimit) throws BadRequest {
        int limit = defaultLimit;
        JobState state = null;
        long before = 0;
        if (query == null || query.isEmpty()) {
            return new JobQuery(null, limit, 0);
        }
        Set<String> seen = new HashSet<>();
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value;
            try {
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new BadRequest(name, name + ": malformed percent-escape");
            }
            if (!seen.add(name)) {
                throw new BadRequest(name, name + ": given twice");
            }
            switch (name) {
                case "limit" -> {
                    if (!value.matches("[0-9]{1,7}") || Integer.parseInt(value) < 1 || Integer.parseInt(value) > maxLimit) {
                        throw new BadRequest(name, "limit: expected a whole number from 1 to " + maxLimit + ", got '" + excerpt(value) + "'");
                    }
                    limit = Integer.parseInt(value);
                }
                case "state" -> {
                    state = JobState.ofLabel(value);
                    if (state == null) {
                        throw new BadRequest(name, "state: expected one of " + Arrays.stream(JobState.values()).map(JobState::label)
                                .collect(Collectors.joining(", ")) + ", got '" + excerpt(value) + "'");
                    }
                }
                case "cursor" -> {
                    if (!value.matches("[1-9][0-9]{0,17}")) {
                        throw new BadRequest(name, "cursor: not a cursor this API gave (next_cursor of the page before)");
                    }
                    before = Long.parseLong(value);
                }
                default -> throw new BadRequest(excerpt(name), "unknown query parameter '" + excerpt(name)
                        + "'; GET /v1/jobs takes limit, state and cursor");
            }
        }
        return new JobQuery(state, limit, before);
    }

    /** The cursor of the page after the one ending with {@code last}. */
    static String cursor(StoredJob last) {
        return Long.toString(last.seq());
    }

    private static String excerpt(String s) {
        String t = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
