package io.streamscore.common;

import java.util.Arrays;

/**
 * Per-feature z-scoring: feature i enters the model as (x[i] − mean[i]) / std[i]. The std is the population standard
 * deviation of the training data. Kept in the model so that scorers feed raw features.
 */
public final class Standardization {
    private final double[] mean;
    private final double[] std;

    public Standardization(double[] mean, double[] std) {
        if (mean == null || std == null) {
            throw new InvalidModelException("standardization needs both mean and std");
        }
        if (mean.length != std.length) {
            throw new InvalidModelException("standardization.mean has " + mean.length + " entries but standardization.std has "
                    + std.length);
        }
        for (int i = 0; i < mean.length; i++) {
            if (!Double.isFinite(mean[i])) {
                throw new InvalidModelException("standardization.mean[" + i + "] is " + mean[i] + "; must be finite");
            }
            if (!(Double.isFinite(std[i]) && std[i] > 0)) {
                throw new InvalidModelException("standardization.std[" + i + "] is " + std[i] + "; must be positive and finite");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    public int size() {
        return mean.length;
    }

    public double[] mean() {
        return mean.clone();
    }

    public double[] std() {
        return std.clone();
    }

    double meanAt(int i) {
        return mean[i];
    }

    double stdAt(int i) {
        return std[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Standardization s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Standardization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
    }
}
