package bench.programs;

import org.apache.commons.math3.complex.Complex;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.transform.DftNormalization;
import org.apache.commons.math3.transform.FastFourierTransformer;
import org.apache.commons.math3.transform.TransformType;

/** Commons Math 3 (Maven Central): forward and inverse FFTs of 2^16 points and LU decompositions. */
public final class Fft {
    public static void main(String[] args) {
        int rounds = Integer.parseInt(args.length > 0 ? args[0] : "80");
        FastFourierTransformer fft = new FastFourierTransformer(DftNormalization.STANDARD);
        double[] signal = new double[1 << 16];
        for (int i = 0; i < signal.length; i++) {
            signal[i] = Math.sin(i * 0.01) + 0.5 * Math.cos(i * 0.37);
        }
        double check = 0;
        for (int r = 0; r < rounds; r++) {
            Complex[] f = fft.transform(signal, TransformType.FORWARD);
            Complex[] b = fft.transform(f, TransformType.INVERSE);
            check += b[r].getReal();
        }
        double[][] m = new double[160][160];
        for (int i = 0; i < 160; i++) {
            for (int j = 0; j < 160; j++) {
                m[i][j] = (i == j ? 200 : 0) + ((i * 31 + j * 17) % 11);
            }
        }
        for (int r = 0; r < rounds / 4; r++) {
            check += new LUDecomposition(new Array2DRowRealMatrix(m)).getDeterminant() > 0 ? 1 : 0;
        }
        System.out.printf("fft %.6f%n", check);
    }
}
