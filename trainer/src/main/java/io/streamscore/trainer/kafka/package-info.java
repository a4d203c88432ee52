/**
 * The trainer's Kafka side: publishing and steering versions on the compacted model topic as fenced transactions
 * ({@link io.streamscore.trainer.kafka.ModelPublisher}), and reading a topic as a snapshot up to its end offsets at the
 * start, for the model topic and for training data.
 */
package io.streamscore.trainer.kafka;
