/**
 * Training data in: CSV files and labelled feature events on a topic become one contiguous
 * {@link io.streamscore.trainer.data.Dataset}, with the column selection, the label grammar and the standardization
 * the trainer applies. Every refusal is a {@link io.streamscore.trainer.data.DataFormatException} naming the place
 * (file, line and column, or topic, partition and offset).
 */
package io.streamscore.trainer.data;
