/** Shown by the cluster screens when no profile exists or none is selected yet. */
export function NeedCluster({ title }: { title: string }) {
  return (
    <section>
      <h1 tabIndex={-1}>{title}</h1>
      <div className="empty">
        <p>No cluster selected.</p>
        <p className="muted">
          Add or import one on the <a href="#/clusters">Clusters</a> screen (Alt+1), then pick it in the header.
        </p>
      </div>
    </section>
  );
}
