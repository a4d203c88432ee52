package io.streamscore.trainer.optim;

/** Prints which pass kernel a JVM picks; {@link PassKernelTest} runs it in JVMs started with and without the module. */
public final class PassKernelsProbe {
    private PassKernelsProbe() {
    }

    public static void main(String[] args) {
        System.out.println("kernel=" + PassKernels.BEST.description());
        System.out.println("fallback=" + PassKernels.fallbackReason());
    }
}
