package itapp;

/** Fixture for {@code JacocoIT}: loops (so Timeslice rewrites it) and a branch never taken. */
public final class Cov {
    private Cov() {
    }

    static long sum(int n) {
        long s = 0;
        for (int i = 0; i < n; i++) {
            s += i % 7 == 0 ? i : 1;
        }
        return s;
    }

    static String never(int x) {
        if (x > 0) {
            return "positive";
        }
        return "not positive";
    }

    public static void main(String[] args) {
        long s = 0;
        int k = 0;
        while (k < 1000) {
            s += sum(k++);
        }
        System.out.println("sum=" + s + " " + never(-1));
    }
}
