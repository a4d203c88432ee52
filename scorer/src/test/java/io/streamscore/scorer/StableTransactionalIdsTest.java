package io.streamscore.scorer;

import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StableTransactionalIdsTest {

    @Test
    void replacesTheProcessIdOfKafkaStreamsFormatWithTheInstanceId() {
        // Kafka Streams 4.2 to 4.4 (ActiveTaskCreator): application.id + "-" + processId + "-" + threadIdx
        UUID processId = UUID.randomUUID();
        assertEquals("streamscore-scorer-pod-7-1",
                StableTransactionalIds.stable("streamscore-scorer-" + processId + "-1", "streamscore-scorer", "pod-7"));
        assertEquals("app-a.b_c-12", StableTransactionalIds.stable("app-" + processId + "-12", "app", "a.b_c"));
        // Two starts of the same instance: two random process ids, one transactional id per thread.
        assertEquals(StableTransactionalIds.stable("app-" + UUID.randomUUID() + "-2", "app", "i"),
                StableTransactionalIds.stable("app-" + UUID.randomUUID() + "-2", "app", "i"));
    }

    @Test
    void leavesAnyOtherFormUnchanged() {
        String uuid = UUID.randomUUID().toString();
        for (String id : new String[]{"other-app-" + uuid + "-1", "app-" + uuid, "app-" + uuid + "-x", "app-not-a-uuid-1",
                "app" + uuid + "-1", "app-" + uuid + "-1-2"}) {
            assertEquals(id, StableTransactionalIds.stable(id, "app", "i"), id);
        }
    }
}
