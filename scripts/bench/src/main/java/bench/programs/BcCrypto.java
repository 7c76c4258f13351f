package bench.programs;

import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/** Bouncy Castle (bcprov, Maven Central): SHA-256 and AES block encryption in pure Java over a buffer, N rounds. */
public final class BcCrypto {
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args.length > 0 ? args[0] : "12");
        byte[] data = new byte[4 << 20];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 131 + (i >>> 9));
        }
        SHA256Digest sha = new SHA256Digest();
        byte[] out = new byte[32];
        AESEngine aes = new AESEngine();
        aes.init(true, new KeyParameter(new byte[16]));
        byte[] block = new byte[16];
        long check = 0;
        for (int r = 0; r < rounds; r++) {
            sha.update(data, 0, data.length);
            sha.doFinal(out, 0);
            check += out[r % 32];
            for (int off = 0; off + 16 <= data.length / 4; off += 16) {
                aes.processBlock(data, off, block, 0);
            }
            check += block[r % 16];
        }
        System.out.println("crypto " + check);
    }
}
