package bench.programs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;

/** Commons Compress (Maven Central): bzip2 compression and decompression of generated text, in pure Java. */
public final class Bzip2 {
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args.length > 0 ? args[0] : "1");
        StringBuilder sb = new StringBuilder();
        long x = 42;
        String[] words = {"scheduler", "goroutine", "preempt", "slice", "carrier", "virtual", "thread", "poll"};
        while (sb.length() < 3_000_000) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            sb.append(words[(int) ((x >>> 33) % words.length)]).append((x >>> 60) == 0 ? '\n' : ' ');
        }
        byte[] input = sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        long check = 0;
        for (int r = 0; r < rounds; r++) {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (BZip2CompressorOutputStream out = new BZip2CompressorOutputStream(bos)) {
                out.write(input);
            }
            byte[] packed = bos.toByteArray();
            byte[] unpacked;
            try (BZip2CompressorInputStream in = new BZip2CompressorInputStream(new ByteArrayInputStream(packed))) {
                unpacked = in.readAllBytes();
            }
            CRC32 crc = new CRC32();
            crc.update(unpacked);
            check += packed.length + crc.getValue();
        }
        System.out.println("bzip2 " + check);
    }
}
