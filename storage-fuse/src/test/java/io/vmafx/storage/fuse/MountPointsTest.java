package io.vmafx.storage.fuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MountPointsTest {

    @Test
    void namesAreAHashPrefixAndASafeHint() {
        assertTrue(MountPoints.name("media:").matches("[0-9a-f]{16}-media"), MountPoints.name("media:"));
        assertTrue(MountPoints.name(":sftp,host=h,user=u,port=22:/").matches("[0-9a-f]{16}-sftp_host_h_user_u_port_22"),
                MountPoints.name(":sftp,host=h,user=u,port=22:/"));
        assertTrue(MountPoints.name("../..:").matches("[0-9a-f]{16}-remote"), MountPoints.name("../..:"));
        assertTrue(MountPoints.name("é:").matches("[0-9a-f]{16}-remote"));
        assertEquals(16 + 1 + 40, MountPoints.name("x".repeat(300) + ":").length());
    }

    @Test
    void secretLookingOptionsOfConnectionStringsKeepTheirValuesOutOfTheName() {
        String name = MountPoints.name(":s3,provider=AWS,access_key_id=AKIA1,secret_access_key=\"S,E:C\",session_token=T0K:");
        assertTrue(name.matches("[0-9a-f]{16}-s3_provider_AWS_access_key_id_secret_acc"), name); // cut at 40
        String full = MountPoints.name(":s3,secret_access_key=\"S,E:C\",x=1,session_token=T0K:");
        assertTrue(full.endsWith("-s3_secret_access_key_x_1_session_token"), full);
        assertTrue(MountPoints.name(":sftp,host=h,pass=hunter2:/").endsWith("-sftp_host_h_pass"));
    }

    @Test
    void rootsThatSanitizeAlikeStayApart() {
        assertNotEquals(MountPoints.name("a:b/"), MountPoints.name("a_b:"));
        assertEquals(MountPoints.name("media:"), MountPoints.name("media:"));
    }
}
