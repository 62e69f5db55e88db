import type { CaseImage, EvidenceSpan } from './api.ts';

/**
 * The images of a case's content as evidence. Warden never keeps image bytes (not even a thumbnail: a thumbnail of
 * a suspected child-safety image is itself such an image), so each image shows what is known of it: its hash-bank
 * matches (bank, distance, threshold), the image model's scores and its hashes. The frame where the image would be
 * stays blurred, like the rest of a sensitive case, until the reviewer reveals it; revealed, it says the image is
 * not retained.
 */
export function CaseImages({ images, evidence, revealed }: { images: CaseImage[]; evidence: EvidenceSpan[]; revealed: boolean }) {
  return (
    <section aria-labelledby="images-heading">
      <h2 id="images-heading">Images</h2>
      <p className="hint">Image bytes are not retained: Warden keeps each image's hashes and scores only, so the image itself cannot be shown here.</p>
      {images.map((image) => {
        const matches = evidence.filter((e) => e.detector === 'hash-bank' && e.input === image.input && e.match);
        const classes = image.classification ? Object.entries(image.classification.classes).sort((a, b) => b[1] - a[1]) : [];
        return (
          <figure key={image.input} className="case-image" aria-label={`Image ${image.input}`} data-testid="case-image">
            <div className={revealed ? 'image-placeholder revealed' : 'image-placeholder blurred'} data-testid="case-image-placeholder" aria-hidden={!revealed}>
              <span>
                {image.format.toUpperCase()} {image.width} × {image.height}
                {image.frames > 1 && ` · ${image.frames} frames (first judged)`}
              </span>
              <span>not retained</span>
            </div>
            <figcaption>
              <p>
                <strong>{image.input}</strong> · PDQ <code>{image.hashes.pdq}</code> (quality {image.hashes.quality})
              </p>
              {matches.length > 0 ? (
                <ul aria-label={`Hash-bank matches of ${image.input}`}>
                  {matches.map((e, i) => (
                    <li key={i} className={e.match!.child_safety ? 'match child-safety' : 'match'}>
                      Matches bank “{e.match!.bank_name}” at distance {e.match!.distance} (threshold {e.match!.threshold}){e.match!.child_safety && ' · child safety'}
                    </li>
                  ))}
                </ul>
              ) : (
                <p>No hash-bank match.</p>
              )}
              {image.classification ? (
                <table aria-label={`Image model scores of ${image.input}`}>
                  <caption>
                    {image.classification.model}: sexual {image.classification.scores.sexual?.toFixed(2)}
                  </caption>
                  <tbody>
                    {classes.map(([name, score]) => (
                      <tr key={name}>
                        <td>{name}</td>
                        <td>
                          <meter min={0} max={1} value={score} aria-label={`${name} probability`} /> {score.toFixed(2)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p>No image model scored this image.</p>
              )}
            </figcaption>
          </figure>
        );
      })}
    </section>
  );
}
