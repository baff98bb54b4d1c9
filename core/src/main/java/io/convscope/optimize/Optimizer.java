package io.convscope.optimize;

/**
 * Updates the flat parameter vector from the objective's value and gradient. Runs on the host:
 * the vectors are small next to a network's activations, and host arithmetic is the same on every
 * machine, so runs repeat exactly.
 */
public interface Optimizer {

    /** The objective: writes ∂f/∂θ into {@code gradient} and returns f(θ). */
    @FunctionalInterface
    interface Function {
        double evaluate(float[] theta, float[] gradient);

        /**
         * f(θ) now, ∂f/∂θ only if asked for: a line search that rejects the point never pays for its
         * gradient (for a network, the backward pass: about half an evaluation). The default
         * computes both at once. The caller closes the result before the next evaluation.
         */
        default Point at(float[] theta) {
            float[] g = new float[theta.length];
            double v = evaluate(theta, g);
            return new Point() {
                @Override
                public double value() {
                    return v;
                }

                @Override
                public boolean gradient(float[] into) {
                    System.arraycopy(g, 0, into, 0, g.length);
                    return Vectors.allFinite(g);
                }
            };
        }
    }

    /** One evaluated point whose gradient is computed on demand ({@link Function#at}). */
    interface Point extends AutoCloseable {
        /** f(θ); NaN when not finite. */
        double value();

        /** Writes ∂f/∂θ into {@code into}, at most once; false when it is not finite. */
        boolean gradient(float[] into);

        /** Frees what the deferred gradient would have needed. */
        @Override
        default void close() {
        }
    }

    /**
     * One iteration: changes {@code theta} in place and returns the objective's value at the point
     * the iteration started from.
     */
    double step(float[] theta, Function f);

    /**
     * {@link #step(float[], Function)}, told whether it is the run's last: an optimiser that computes
     * the gradient at its new point for the iteration after (L-BFGS) need not, since none follows. A
     * step after a last one still works: it evaluates its starting point afresh.
     */
    default double step(float[] theta, Function f, boolean last) {
        return step(theta, f);
    }

    /** How many times the last {@link #step} evaluated the objective. */
    default int evaluations() {
        return 1;
    }

    /** The optimisers a user chooses by name: a typed setting, parsed by {@link #CHOICES}. */
    enum Kind {
        /** {@link #adam(double)}. */
        ADAM,
        /** {@link #lbfgs(int)} with a history of {@value #HISTORY}. */
        LBFGS;

        /** The vectors L-BFGS keeps. */
        public static final int HISTORY = 10;

        /** "adam", "lbfgs" (also "l-bfgs"). */
        public static final io.convscope.util.Choices<Kind> CHOICES = io.convscope.util.Choices.of(Kind.class).alias("l-bfgs", LBFGS);

        /** A new optimiser of this kind ({@code learningRate} is Adam's). */
        public Optimizer create(double learningRate) {
            return this == ADAM ? adam(learningRate) : lbfgs(HISTORY);
        }

        /** "Adam", "L-BFGS". */
        public String title() {
            return this == ADAM ? "Adam" : "L-BFGS";
        }
    }

    /** Adam (Kingma &amp; Ba): the default for stochastic objectives (random transforms each step). */
    static Optimizer adam(double learningRate) {
        return new Adam(learningRate, 0.9, 0.999, 1e-8);
    }

    /** L-BFGS with a backtracking line search: the default for deterministic objectives (reconstruction, style). */
    static Optimizer lbfgs(int history) {
        return new Lbfgs(history, 1.0, 20);
    }

    /** Adam on a flat vector, with bias correction. */
    final class Adam implements Optimizer {
        private final double lr;
        private final double b1;
        private final double b2;
        private final double eps;
        private double[] m;
        private double[] v;
        private float[] g;
        private int t;

        public Adam(double lr, double b1, double b2, double eps) {
            if (!(lr > 0)) {
                throw new IllegalArgumentException("the learning rate must be positive");
            }
            this.lr = lr;
            this.b1 = b1;
            this.b2 = b2;
            this.eps = eps;
        }

        @Override
        public double step(float[] theta, Function f) {
            if (m == null || m.length != theta.length) {
                m = new double[theta.length];
                v = new double[theta.length];
                g = new float[theta.length];
                t = 0;
            }
            double value = f.evaluate(theta, g);
            t++;
            // θ −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε): the bias corrections as scalars, as PyTorch's
            // Adam applies them, so that an element costs one square root and one division (C1 does not
            // vectorise: four of them made this loop 1.7 ms a step for a 224-px Fourier image)
            double stepSize = lr / (1 - Math.pow(b1, t));
            double invRootC2 = 1 / Math.sqrt(1 - Math.pow(b2, t));
            double[] m = this.m;
            double[] v = this.v;
            float[] g = this.g;
            double b1 = this.b1;
            double b2 = this.b2;
            double eps = this.eps;
            // element by element, so the same values whichever threads share the vector
            Vectors.forEachRange(theta.length, (from, to) -> {
                for (int i = from; i < to; i++) {
                    double gi = g[i];
                    m[i] = b1 * m[i] + (1 - b1) * gi;
                    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
                    theta[i] -= (float) (stepSize * m[i] / (Math.sqrt(v[i]) * invRootC2 + eps));
                }
            });
            return value;
        }
    }

    /**
     * Limited-memory BFGS (Nocedal &amp; Wright, algorithm 7.4: the two-loop recursion) with an
     * Armijo backtracking line search that starts at step 1 (at {@code firstStep}/‖g‖ on the first
     * iteration, when there is no curvature yet). The vector loops run on {@link Vectors}: element-wise
     * ones shared between cores, dot products summed chunk by chunk in a fixed order, so that a run
     * gives the same numbers on any number of threads; each pair's sᵀy and yᵀy are computed once, when
     * it is stored.
     */
    final class Lbfgs implements Optimizer {
        /** A curvature pair and its dot products, computed once: sᵀy and yᵀy, for the initial Hessian's scale. */
        record Pair(double[] s, double[] y, double sy, double yy) {
            double rho() {
                return 1 / sy;
            }
        }

        private final int history;
        private final double firstStep;
        private final int maxEvaluations;
        private final java.util.ArrayDeque<Pair> pairs = new java.util.ArrayDeque<>();
        private float[] g;
        private double fx = Double.NaN;
        private float[] lastTheta;
        private int evaluations;
        /** The search direction's buffer, reused between steps. */
        private double[] q;
        /** Buffers for the next pair: a new pair's s and y are computed here; a pair that leaves the history gives its arrays back. */
        private double[] sSpare;
        private double[] ySpare;

        /**
         * The search direction d = −H·g into {@code q} by the two-loop recursion over the pairs
         * {@code ps} (oldest first), with H₀ = (sᵀy / yᵀy)·I of the newest pair (I without pairs); returns
         * gᵀd. Each pass over the vectors updates q and takes the dot product that the next update needs
         * from the same chunk while it is in cache: 2k + 1 passes instead of 4k + 4 (the vectors of a
         * 512-px style image are 6 MB each; the host's part of an L-BFGS step is memory-bound). The
         * values are those of the plain recursion, bit for bit: every element gets the same operations
         * in the same order, and every dot product the same chunk sums ({@code LbfgsDirectionTest}).
         */
        static double direction(float[] g, Pair[] ps, double[] q) {
            int k = ps.length;
            if (k == 0) {
                return Vectors.negateDot(g, q);
            }
            double[] alpha = new double[k];
            // first loop, newest pair first: α_j = ρ_j·s_jᵀq, q ← q − α_j·y_j
            double d = Vectors.copyDot(g, q, ps[k - 1].s());
            double gamma = ps[k - 1].sy() / ps[k - 1].yy();
            for (int j = k - 1; j >= 0; j--) {
                alpha[j] = ps[j].rho() * d;
                d = j > 0 ? Vectors.axpyDot(-alpha[j], ps[j].y(), q, 1, ps[j - 1].s())
                        : Vectors.axpyDot(-alpha[j], ps[j].y(), q, gamma, ps[0].y()); // the last one also scales q by H₀
            }
            // second loop, oldest pair first: β_j = ρ_j·y_jᵀq, q ← q + (α_j − β_j)·s_j; then d = −q
            for (int j = 0; j < k; j++) {
                double beta = ps[j].rho() * d;
                d = j < k - 1 ? Vectors.axpyDot(alpha[j] - beta, ps[j].s(), q, 1, ps[j + 1].y())
                        : Vectors.axpyNegateDot(alpha[j] - beta, ps[j].s(), q, g);
            }
            return d;
        }

        public Lbfgs(int history, double firstStep, int maxEvaluations) {
            if (history < 1) {
                throw new IllegalArgumentException("L-BFGS needs a history of at least 1");
            }
            this.history = history;
            this.firstStep = firstStep;
            this.maxEvaluations = maxEvaluations;
        }

        @Override
        public int evaluations() {
            return evaluations;
        }

        @Override
        public double step(float[] theta, Function f) {
            return step(theta, f, false);
        }

        @Override
        public double step(float[] theta, Function f, boolean last) {
            int n = theta.length;
            evaluations = 0;
            if (g == null || g.length != n || lastTheta == null || !java.util.Arrays.equals(lastTheta, theta)) {
                g = new float[n];
                fx = f.evaluate(theta, g);
                evaluations++;
            }
            double start = fx;
            // direction d = −H·g by the two-loop recursion
            if (q == null || q.length != n) {
                q = new double[n];
            }
            double[] q = this.q;
            float[] g = this.g;
            Pair[] ps = pairs.toArray(new Pair[0]);
            int k = ps.length;
            double gd = direction(g, ps, q);
            if (!(gd < 0)) { // not a descent direction: restart from steepest descent
                pairs.clear();
                Vectors.forEachRange(n, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        q[i] = -g[i];
                    }
                });
                gd = -Vectors.dot(q, q);
                k = 0;
            }
            if (gd == 0) {
                lastTheta = theta.clone();
                return start;
            }
            double t = k == 0 ? Math.min(1, firstStep / Math.sqrt(-gd)) : 1;
            float[] x0 = theta.clone();
            float[] g0 = g.clone();
            float[] gNew = new float[n];
            double fNew;
            boolean noGradient = false;
            while (true) {
                double step = t;
                Vectors.forEachRange(n, (from, to) -> {
                    for (int i = from; i < to; i++) {
                        theta[i] = (float) (x0[i] + step * q[i]);
                    }
                });
                // the value decides; the gradient is computed only at the point the search keeps
                // (a rejected trial costs a forward pass, not a forward and a backward pass)
                try (Point p = f.at(theta)) {
                    fNew = p.value();
                    evaluations++;
                    boolean sufficient = fNew <= fx + 1e-4 * t * gd;
                    if (sufficient || (evaluations >= maxEvaluations && fNew <= fx)) {
                        if (last) { // kept (both tests imply fNew ≤ fx), and no iteration follows to use its gradient
                            noGradient = true;
                            break;
                        }
                        if (!p.gradient(gNew)) {
                            fNew = Double.NaN; // a non-finite gradient: as if the value were not finite
                        } else {
                            break;
                        }
                    }
                }
                if (evaluations >= maxEvaluations) {
                    break;
                }
                t *= 0.5;
            }
            if (!(fNew <= fx)) { // no progress at all: stay, forget the curvature
                System.arraycopy(x0, 0, theta, 0, n);
                pairs.clear();
                lastTheta = theta.clone();
                return start;
            }
            if (noGradient) { // the next step, if any, starts by evaluating this point
                this.g = null;
                lastTheta = null;
                return start;
            }
            if (sSpare == null || sSpare.length != n) {
                sSpare = new double[n];
                ySpare = new double[n];
            }
            double[] sNew = sSpare;
            double[] yNew = ySpare;
            Vectors.forEachRange(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    sNew[i] = (double) theta[i] - x0[i];
                    yNew[i] = (double) gNew[i] - g0[i];
                }
            });
            double sy = Vectors.dot(sNew, yNew);
            if (sy > 1e-10) {
                pairs.addLast(new Pair(sNew, yNew, sy, Vectors.dot(yNew, yNew)));
                sSpare = null;
                ySpare = null;
                if (pairs.size() > history) {
                    Pair gone = pairs.removeFirst();
                    sSpare = gone.s();
                    ySpare = gone.y();
                }
            }
            this.g = gNew;
            fx = fNew;
            lastTheta = theta.clone();
            return start;
        }
    }
}
