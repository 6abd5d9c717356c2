/** Shows an AppError with what to do next; a changed host key or failed rollback is shown as a loud stop. */
import type { AppErrorData } from '../../shared/result.ts';
import { useApi } from './api-context.tsx';
import { hostKeyDetail } from './host-key-detail.ts';
import { errorAdvice } from './error-hints.ts';

/** Props of ErrorBox. */
export interface ErrorBoxProps {
  error: AppErrorData | undefined;
  /** Offered as a "Try again" button. */
  onRetry?: () => void;
  /** Where it happened, e.g. "Loading the live table". */
  context?: string;
}

/** An error with its next step. */
export function ErrorBox({ error, onRetry, context }: ErrorBoxProps) {
  const api = useApi();
  if (!error) return null;
  const advice = errorAdvice(error);
  const detail = hostKeyDetail(error);
  return (
    <div className={`error-box error-${advice.severity}`} role="alert" data-code={error.code}>
      {context && <p className="error-context">{context}</p>}
      <p className="error-title">{advice.title}</p>
      <p className="error-message">
        {error.message}
        {error.step ? <span className="muted"> (step: {error.step})</span> : null}
      </p>
      <p className="error-next">
        <strong>Next:</strong> {advice.next}
      </p>
      <div className="row">
        {detail && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              void api.reviewHostKey(detail).then((a) => a.trusted && onRetry?.());
            }}
          >
            Review host key…
          </button>
        )}
        {onRetry && advice.severity !== 'stop' && (
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        )}
      </div>
    </div>
  );
}
