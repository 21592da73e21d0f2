"""Counting people on a fixed camera: the burst, the empty scene and zoom where something changed.

`count_burst` takes the healthy frames of one check (in time order), the camera's learned
empty scene (or None) and two callables of the detector (whole-frame `detect`, and `zoom`
into regions, None for back-ends without it).

0. With a learned empty scene, a burst in which no cell of any frame differs from it or moved
   (after the masks' noise cleaning) is counted 0 without running any model (`skipped`): a
   person always differs from the empty background. This is the closed office at night, most
   of a camera's checks; measured on every empty photograph of ../shared/frames with fresh
   sigma-2 noise and a JPEG q90 round trip per frame, no cell is set and the burst skips. It
   never fires on ../shared/sequences (their frames are seconds apart: something moves in
   every burst), so those counts are unchanged. Otherwise, per frame:

1. the detector's own people on the whole frame;
2. candidate regions: person-sized cells that changed against the empty scene or moved
   between the frames of the burst, and that no counted person already explains;
3. the detector run zoomed into each candidate region (far and small people);
4. evidence that agrees: a confident whole-frame hit counts as today. A weak whole-frame hit
   (pose below WEAK_POSE, face below WEAK_FACE) needs a second signal (a single frame keeps
   today's rule): motion at its place during the burst (with a learned scene, plus a change
   against it there or a person at that place in another frame); or, when it stands still
   and the camera has no learned scene yet, a person at that place in another frame of the
   burst. A still weak hit on a camera with a learned scene does not count. Measured on
   empty rooms with a chair moved and a lamp switched on: the change against the empty scene
   lets weak poses on the moved furniture through, motion does not (a moved chair stands
   still during the check); sensor noise on a still empty room moves nothing. A
   zoomed hit counts only inside the changed cells and only when another frame of the burst
   has a person at that place. A changed region alone is never a person (measured: moved
   chairs, lamps, a hand moving bottles and the light of a screen change as much as a seated
   person does).
5. candidates (`Detection.candidates`: upright pose hits from 0.5 that no photograph rule
   counts, on the whole frame or zoomed): one counts as a person ("moving-pose",
   "moving-zoom-pose") when at least MIN_CANDIDATE_MOTION of its box moved during the burst,
   its box also moved at least MIN_OWN_MOTION against each other frame on its own (a frame
   that looks like another frame there shows what that one shows: measured with every frame
   of every burst scored, the floor where a man had just stood was counted on the two frames
   after he left), another frame of the burst has a person or candidate at its place and of
   its height (within SAME_SIZE), and, with a learned scene, its place differs from the
   empty scene.
   This is what finds people seen from high above and behind (store-aisle ceiling camera:
   pose scores 0.5-0.8, no face, the landmark verifier says no). Measured on the sequences:
   a hand moving bottles moved 0.15-0.17 of its candidate box (people about 0.3 and more); a
   pillar half-seen in an empty room while someone walked over that place in the next frames
   was less than half that person's height; a still candidate (a stack of cups scored
   0.45-0.79 in every frame) never moves.

6. segmentation blobs (`segment`, optional: upright person-shaped blobs of the selfie
   segmentation model on the whole frame, not touching the frame's top edge, where the
   counted people cover less than SEGMENT_EXPLAINED of the blob): one counts when a blob of
   its height stands at its place in every other frame of the burst, with a learned scene
   its place differs from the empty scene, and either a face candidate (>= SEGMENT_FACE, the
   face model's own hits below its counting score) sits in its top third ("segment-face":
   two models agree, so a still person counts: the store aisle's man reaching into a shelf,
   found by no pose pass) or its box moved at least MIN_OWN_MOTION against each other frame
   ("moving-segment"). Measured: to the model a bottle is person-shaped (0.97) and an arm
   reaching in from above too; no bottle blob had a face at its top, the arms touch the top
   edge, and neither rule counted anyone on an empty frame of ../shared/sequences (every
   frame of every burst, noise 0 and 2) or on a burst of any empty photograph of
   ../shared/frames (noise 0 and 2, no learned scene).

The new scene state is the old one blended with this burst when nobody was counted and
nothing moved in a burst of at least MIN_LEARN_FRAMES frames (never learned from a frame with
a counted person, nor from a burst where something moved or a single frame: that may be a
person the models missed; measured: the last, single-frame check of the store aisle counted
0 of 3 people). Pure: state in, state out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from cameras.vision.detector import Box, Detection, PersonBox
from cameras.vision.scene import (
    SceneState,
    change_mask,
    changed_regions,
    changed_share,
    learn_scene,
    motion_mask,
    normalised,
    pair_motion_mask,
    scene_grey,
)

DetectFn = Callable[[NDArray[np.uint8]], Detection]
ZoomFn = Callable[[NDArray[np.uint8], Sequence[Box]], Detection]
SegmentFn = Callable[[NDArray[np.uint8]], Sequence[Box]]

# Whole-frame hits below these scores are weak: the mediapipe fusion counts them only with a
# second opinion (verifier or face at the head), and it is these that sensor noise can make.
WEAK_POSE = 0.9
WEAK_FACE = 0.8
MIN_CHANGED_SHARE = 0.15  # share of a zoomed person's box that must lie in changed cells
MIN_LEARN_FRAMES = 2  # a burst this long at least, to see that nothing moved
# A burst identical to an empty scene learned from at least this many checks runs no model.
MIN_SKIP_LEARNED = 1
MIN_MOVED_SHARE = 0.05  # share of a weak hit's box that must have moved in the burst
# A region already covered this much by counted people needs no zoom.
EXPLAINED_SHARE = 0.6
# A candidate (a pose hit too weak for a photograph, `Detection.candidates`) counts when at
# least this share of its box moved during the burst (and the other rules of step 5 hold).
MIN_CANDIDATE_MOTION = 0.25
# ... and when its box also moved this much against each other frame of the burst on its own:
# a frame that looks like another frame at a place shows what that frame shows there. Measured
# on ../shared/sequences with every frame of every burst scored: the ghosts of a man who had
# left (one-by-one room 0023, 0024: a floor shadow at 0.52 where he stood in 0022) and of a
# hand (bottles 0004) moved 1.0 and 0.29 against the frame with him (or it) and 0.0 against the
# other frame; every counted candidate of the store aisle moved at least 0.16 against each.
MIN_OWN_MOTION = 0.1
# ... and when another frame of the burst has a person or candidate at its place and of its
# height within this factor (the same person a second later, not someone else walking past).
SAME_SIZE = 1.5
# Rule 6: a face candidate of this score at the top of a segmentation blob (the aisle man's
# back of the head scored 0.61-0.75; the face model counts a face alone from 0.8) ...
SEGMENT_FACE = 0.5
# ... in a blob that the counted people's boxes cover less than this share of.
SEGMENT_EXPLAINED = 0.3  # a blob this much covered by counted people is one of them
# Same person in two frames of the burst: centres closer than this share of the taller box
# (a walking person moves about half a body height in a second).
SAME_PLACE = 0.6


@dataclass(frozen=True)
class BurstCount:
    """Per-frame detections (people counted under the rules above) and the scene after it."""

    detections: tuple[Detection, ...]
    scene: SceneState | None
    learned: bool
    candidate_regions: tuple[int, ...]  # per frame, how many regions were zoomed into
    # True when the burst matched the learned empty scene everywhere and no model ran.
    skipped: bool = False

    def signals(self, index: int) -> dict[str, int]:
        """How many counted people of frame `index` each signal found ("pose", "zoom-pose")."""
        return dict(Counter(person.source for person in self.detections[index].people))


def count_burst(
    frames: Sequence[NDArray[np.uint8]],
    detect: DetectFn,
    zoom: ZoomFn | None,
    scene: SceneState | None,
    segment: SegmentFn | None = None,
) -> BurstCount:
    """Count people on each frame of one check's healthy burst (see module docstring);
    `segment` (rule 6) is the detector's `segment_people`, None for back-ends without it."""
    if not frames:
        raise ValueError("a burst needs at least one frame")
    greys = [scene_grey(frame) for frame in frames]
    masks: list[NDArray[np.bool_]] = []
    motions: list[NDArray[np.bool_]] = []
    changes: list[NDArray[np.bool_]] = []
    moved = False
    norms = [normalised(grey) for grey in greys]
    for index, grey in enumerate(greys):
        motion = motion_mask(greys, index, norms)
        moved = moved or bool(changed_regions(motion, frames[index].shape))
        motions.append(motion)
        changes.append(change_mask(grey, scene, norms[index]))
        masks.append(changes[-1] | motion)
    if _unchanged(scene, greys, masks):
        # The learned empty scene, still: nobody can be there (a person always differs from
        # the empty background), so no model runs. A still burst that long is learned from.
        empty = tuple(
            Detection(people=(), frame_shape=(int(f.shape[0]), int(f.shape[1]))) for f in frames
        )
        still = len(frames) >= MIN_LEARN_FRAMES
        return BurstCount(
            empty, learn_scene(scene, greys) if still else scene, still, (0,) * len(frames), True
        )
    whole = _whole_frame_detections(frames, detect, motions)
    found: list[list[PersonBox]] = []
    zoomed: list[list[PersonBox]] = []
    candidates: list[list[PersonBox]] = []
    regions_used: list[int] = []
    for index, frame in enumerate(frames):
        shape = frame.shape
        confident = [p for p in whole[index].people if not _is_weak(p)]
        weak = [p for p in whole[index].people if _is_weak(p)]
        regions = [
            region
            for region in changed_regions(masks[index], shape)
            if _covered_share(region, confident + weak) < EXPLAINED_SHARE
        ]
        extra: list[PersonBox] = []
        hints: list[PersonBox] = list(whole[index].candidates)
        if zoom is not None and regions:
            zoomed_in = zoom(frame, regions)
            hints += [
                person
                for person in zoomed_in.candidates
                if changed_share(masks[index], _body(person), shape) >= MIN_CHANGED_SHARE
            ]
            for person in zoomed_in.people:
                if changed_share(masks[index], _body(person), shape) < MIN_CHANGED_SHARE:
                    continue
                if _same_as_any(person, confident + weak + extra):
                    continue
                extra.append(person)
        regions_used.append(len(regions) if zoom is not None else 0)
        found.append(confident + weak)
        zoomed.append(extra)
        candidates.append(hints)
    blobs = _burst_blobs(frames, segment) if segment and len(frames) > 1 else []
    detections = []
    for index, detection in enumerate(whole):
        shape = frames[index].shape
        others = [
            person
            for other in range(len(frames))
            if other != index
            for person in found[other] + zoomed[other]
        ]
        single = len(frames) == 1
        people = [
            person
            for person in found[index]
            if not _is_weak(person)
            or single
            or _weak_agrees(person, others, motions[index], changes[index], scene, shape)
        ]
        people += [person for person in zoomed[index] if single or _same_as_any(person, others)]
        if not single:
            seen = others + [
                p for other in range(len(frames)) if other != index for p in candidates[other]
            ]
            against = [
                pair_motion_mask(greys, index, other, norms)
                for other in range(len(frames))
                if other != index and candidates[index]
            ]
            people += _moving_candidates(
                candidates[index],
                people,
                seen,
                motions[index],
                changes[index],
                scene,
                shape,
                against,
            )
        if blobs:
            people += _persistent_blobs(
                blobs, index, people, detection.faces, greys, norms, changes[index], scene, shape
            )
        detections.append(
            Detection(
                people=tuple(people), faces=detection.faces, frame_shape=detection.frame_shape
            )
        )
    nobody = all(not detection.people for detection in detections)
    # One frame cannot show that nothing moves: a missed person would go into the scene.
    learned = nobody and not moved and len(frames) >= MIN_LEARN_FRAMES
    new_scene = learn_scene(scene, greys) if learned else scene
    return BurstCount(tuple(detections), new_scene, learned, tuple(regions_used))


def _whole_frame_detections(
    frames: Sequence[NDArray[np.uint8]],
    detect: DetectFn,
    motions: Sequence[NDArray[np.bool_]],
) -> list[Detection]:
    """The whole-frame models on each frame, or on the first only when nothing moved in the
    burst and it found no weak hit: the other frames are the same picture up to sensor noise,
    so they would give the same confident people (the models are most of a check's cost).
    A weak hit still needs its own second frame: noise makes weak hits, and one frame's
    copy must never be the other frames' agreement, so then every frame is run."""
    first = detect(frames[0])
    still = len(frames) > 1 and not any(bool(motion.any()) for motion in motions)
    if still and not any(_is_weak(person) for person in first.people):
        return [first] + [
            replace(first, frame_shape=(int(frame.shape[0]), int(frame.shape[1])))
            for frame in frames[1:]
        ]
    return [first] + [detect(frame) for frame in frames[1:]]


def _burst_blobs(frames: Sequence[NDArray[np.uint8]], segment: SegmentFn) -> list[list[Box]]:
    """Every frame's segmentation blobs, or none at all as soon as one frame has no blob: a
    blob counts only when a blob stands at its place in every other frame of the burst (rule
    6), so then no blob of any frame can count and the later frames need no model run."""
    blobs: list[list[Box]] = []
    for frame in frames:
        found = list(segment(frame))
        if not found:
            return []
        blobs.append(found)
    return blobs


def _unchanged(
    scene: SceneState | None,
    greys: Sequence[NDArray[np.float32]],
    masks: Sequence[NDArray[np.bool_]],
) -> bool:
    """True when a learned empty scene of this grid exists and no cell of any frame differs
    from it or moved during the burst. The masks are already cleaned of isolated cells (sensor
    noise, JPEG blocks), and one surviving cell grows to a person-sized region there, so this
    is stricter than "no candidate region"."""
    if scene is None or scene.frames_learned < MIN_SKIP_LEARNED:
        return False
    if any(grey.shape != scene.shape for grey in greys):
        return False
    return not any(bool(mask.any()) for mask in masks)


def _moving_candidates(
    hints: Sequence[PersonBox],
    counted: Sequence[PersonBox],
    seen: Sequence[PersonBox],
    motion: NDArray[np.bool_],
    change: NDArray[np.bool_],
    scene: SceneState | None,
    shape: Sequence[int],
    against: Sequence[NDArray[np.bool_]] = (),
) -> list[PersonBox]:
    """The candidates that count (rule 5 of the module docstring), strongest first, each as a
    person whose source is "moving-" plus the candidate's own ("moving-pose")."""
    added: list[PersonBox] = []
    for hint in sorted(hints, key=lambda person: -person.score):
        if _same_as_any(hint, [*counted, *added]):
            continue
        box = _body(hint)
        if changed_share(motion, box, shape) < MIN_CANDIDATE_MOTION:
            continue
        # Moved against every other frame, not only against the one a person stood in.
        if any(changed_share(pair, box, shape) < MIN_OWN_MOTION for pair in against):
            continue
        if scene is not None and changed_share(change, box, shape) < MIN_CHANGED_SHARE:
            continue
        if not _same_as_any(hint, seen, SAME_SIZE):
            continue
        added.append(replace(hint, source=f"moving-{hint.source}"))
    return added


def _persistent_blobs(
    blobs: Sequence[Sequence[Box]],
    index: int,
    counted: Sequence[PersonBox],
    faces: Sequence[Box],
    greys: Sequence[NDArray[np.float32]],
    norms: Sequence[NDArray[np.float32]],
    change: NDArray[np.bool_],
    scene: SceneState | None,
    shape: Sequence[int],
) -> list[PersonBox]:
    """Segmentation blobs of frame `index` that count (rule 6 of the module docstring), as
    "segment-face" or "moving-segment"."""
    added: list[PersonBox] = []
    for blob in sorted(blobs[index], key=lambda b: -b.score):
        person = PersonBox(blob.x, blob.y, blob.w, blob.h, blob.score, "moving-segment")
        if _covered_share(blob, [*counted, *added]) >= SEGMENT_EXPLAINED:
            continue
        others = [other for other in range(len(blobs)) if other != index]
        if not all(
            _same_as_any(person, [_as_person(b) for b in blobs[other]], SAME_SIZE)
            for other in others
        ):
            continue
        if scene is not None and changed_share(change, blob, shape) < MIN_CHANGED_SHARE:
            continue
        if _face_at_top(blob, faces):
            added.append(replace(person, source="segment-face"))
            continue
        if any(
            changed_share(pair_motion_mask(greys, index, other, norms), blob, shape)
            < MIN_OWN_MOTION
            for other in others
        ):
            continue
        added.append(person)
    return added


def _face_at_top(blob: Box, faces: Sequence[Box]) -> bool:
    """A face candidate of at least SEGMENT_FACE centred in the top third of the blob."""
    for face in faces:
        x, y = face.x + face.w / 2, face.y + face.h / 2
        top = blob.y - 0.1 * blob.h <= y <= blob.y + blob.h / 3
        if face.score >= SEGMENT_FACE and blob.x <= x <= blob.x2 and top:
            return True
    return False


def _as_person(box: Box) -> PersonBox:
    return PersonBox(box.x, box.y, box.w, box.h, box.score, "segment")


def _weak_agrees(
    person: PersonBox,
    others: Sequence[PersonBox],
    motion: NDArray[np.bool_],
    change: NDArray[np.bool_],
    scene: SceneState | None,
    shape: Sequence[int],
) -> bool:
    """A weak whole-frame hit's second signal (see the module docstring, rule 4)."""
    box = _body(person)
    repeated = _same_as_any(person, others)
    if changed_share(motion, box, shape) >= MIN_MOVED_SHARE:
        return scene is None or repeated or changed_share(change, box, shape) >= MIN_CHANGED_SHARE
    # Still: a seated person, or furniture and noise; only the burst can tell, and only while
    # no empty scene says what the furniture looks like.
    return scene is None and repeated


def _is_weak(person: PersonBox) -> bool:
    if person.source == "pose":
        return person.score < WEAK_POSE
    if person.source == "face":
        return person.score < WEAK_FACE
    return False


def _body(person: PersonBox) -> Box:
    return Box(person.x, person.y, max(1, person.w), max(1, person.h), person.score)


def _centre(person: PersonBox) -> tuple[float, float]:
    return person.x + person.w / 2.0, person.y + person.h / 2.0


def _same_as_any(
    person: PersonBox, others: Sequence[PersonBox], size_ratio: float | None = None
) -> bool:
    """True when one of `others` stands at the same place (centre within SAME_PLACE), and,
    with `size_ratio`, is as tall within that factor."""
    x, y = _centre(person)
    for other in others:
        ox, oy = _centre(other)
        reach = SAME_PLACE * max(person.h, other.h, person.w, other.w)
        if abs(x - ox) > reach or abs(y - oy) > reach:
            continue
        if size_ratio is None or max(person.h, other.h) <= size_ratio * max(
            1, min(person.h, other.h)
        ):
            return True
    return False


def _covered_share(region: Box, people: Sequence[PersonBox]) -> float:
    """Share of `region` covered by the union of the people's boxes."""
    if not people or region.w <= 0 or region.h <= 0:
        return 0.0
    covered = np.zeros((region.h, region.w), dtype=bool)
    for person in people:
        x1, y1 = max(person.x - region.x, 0), max(person.y - region.y, 0)
        x2 = min(person.x + person.w - region.x, region.w)
        y2 = min(person.y + person.h - region.y, region.h)
        if x2 > x1 and y2 > y1:
            covered[y1:y2, x1:x2] = True
    return float(covered.mean())
