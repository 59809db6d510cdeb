package io.vmafx.core.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vmafx.spi.jobstore.JobQuery;
import io.vmafx.spi.jobstore.JobState;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/jobs}' query: read strictly, each refusal naming the parameter, nothing long or unprintable echoed. */
class ListQueryTest {

    @Test
    void theParametersAndTheirDefaults() throws Exception {
        assertEquals(new JobQuery(null, 100, 0), ListQuery.parse(null, 100, 1000));
        assertEquals(new JobQuery(JobState.RUNNING, 5, 42), ListQuery.parse("limit=5&state=running&cursor=42", 100, 1000));
    }

    @Test
    void badParametersAreRefusedNamingThem() {
        assertEquals("limit", assertThrows(BadRequest.class, () -> ListQuery.parse("limit=0", 100, 1000)).field());
        assertEquals("limit", assertThrows(BadRequest.class, () -> ListQuery.parse("limit=1001", 100, 1000)).field());
        assertEquals("state", assertThrows(BadRequest.class, () -> ListQuery.parse("state=done", 100, 1000)).field());
        assertEquals("cursor", assertThrows(BadRequest.class, () -> ListQuery.parse("cursor=-1", 100, 1000)).field());
        assertEquals("limit", assertThrows(BadRequest.class, () -> ListQuery.parse("limit=1&limit=2", 100, 1000)).field());
        BadRequest unknown = assertThrows(BadRequest.class, () -> ListQuery.parse("colour=%0a" + "x".repeat(100), 100, 1000));
        assertEquals("unknown query parameter 'colour'; GET /v1/jobs takes limit, state and cursor", unknown.getMessage());
        BadRequest echoed = assertThrows(BadRequest.class, () -> ListQuery.parse("state=%1b[31m" + "y".repeat(100), 100, 1000));
        assertEquals(true, echoed.getMessage().length() < 200 && !echoed.getMessage().contains("\u001b"), echoed.getMessage());
    }
}
