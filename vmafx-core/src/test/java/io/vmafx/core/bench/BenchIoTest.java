package io.vmafx.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchIoTest {

    @TempDir
    Path tmp;

    @Test
    void aRandomAssetIsCheckedByItsSizeAndCrc() throws Exception {
        Path f = tmp.resolve("a.bin");
        long size = 3 * BenchIo.BUFFER + 17;
        long crc = BenchIo.writeRandom(f, size);
        assertEquals(size, Files.size(f));
        CRC32 c = new CRC32();
        c.update(Files.readAllBytes(f));
        assertEquals(c.getValue(), crc);
        BenchIo.check(BenchIo.Opener.file(f), size, crc, "a.bin");
        IOException e = assertThrows(IOException.class, () -> BenchIo.check(BenchIo.Opener.file(f), size, crc ^ 1, "a.bin"));
        assertTrue(e.getMessage().startsWith("reading a.bin gave " + size + " bytes with CRC-32"), e.getMessage());
        double ms = BenchIo.timedRead(BenchIo.Opener.file(f), BenchIo.buffer(), size, "a.bin");
        assertTrue(ms >= 0);
        e = assertThrows(IOException.class, () -> BenchIo.timedRead(BenchIo.Opener.file(f), BenchIo.buffer(), size + 1, "a.bin"));
        assertEquals("reading a.bin gave " + size + " bytes, expected " + (size + 1), e.getMessage());
    }

    @Test
    void ratesAndRatios() {
        assertEquals(1000.0, BenchIo.mibPerS(100, 100));
        assertEquals(0.0, BenchIo.mibPerS(0, 100));
        assertEquals("2.50x", BenchIo.ratio(25, 10));
        assertEquals("-", BenchIo.ratio(25, 0));
        assertEquals("12.35", BenchIo.format(12.345));
    }

    @Test
    void tooLittleSpaceNamesTheOptionThatShrinksTheNeed() {
        IOException e = assertThrows(IOException.class,
                () -> BenchIo.requireSpace(tmp, Long.MAX_VALUE, "the asset", "--size-mib"));
        assertTrue(e.getMessage().startsWith("not enough space in "), e.getMessage());
        assertTrue(e.getMessage().contains("(the asset)") && e.getMessage().endsWith("or --size-mib)"), e.getMessage());
    }
}
