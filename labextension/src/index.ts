/**
 * The course autograder in JupyterLab 4.
 *
 * On an assignment's notebook (one whose cells carry nbgrader metadata) the toolbar gets
 * - "提交并评分" (submit and grade) when a course service is configured: the notebook is saved,
 *   sent to the service through this server's `autograder` extension, and the side panel shows
 *   its place in the queue, then grading, then the score and the feedback page;
 * - "检查" (check) otherwise, for self-learners: `autograder check` runs locally through the same
 *   server extension and the panel shows the report.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ToolbarButton } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { DocumentRegistry } from '@jupyterlab/docregistry';
import { INotebookModel, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';

interface IConfig {
  mode: 'service' | 'local';
  service: string | null;
}

interface ISummaryLine {
  function: string;
  score: number;
  max_score: number;
}

interface ISubmission {
  id?: string;
  assignment?: string;
  state: 'queued' | 'grading' | 'done';
  position?: number;
  status?: 'graded' | 'error';
  score?: number;
  max_score?: number;
  late?: boolean;
  messages_shown?: boolean;
  visibility?: string;
  summary?: ISummaryLine[];
  feedback_html?: string;
  error?: string | null;
}

class RequestError extends Error {}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'autograder', path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new RequestError(`无法连接 Jupyter 服务器：${error}`);
  }
  const text = await response.text();
  let data: any = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { error: text.slice(0, 300) };
  }
  if (!response.ok) {
    throw new RequestError(data.error || `${response.status} ${response.statusText}`);
  }
  return data as T;
}

let configPromise: Promise<IConfig> | null = null;
function config(): Promise<IConfig> {
  if (!configPromise) {
    configPromise = request<IConfig>('config').catch(error => {
      configPromise = null;
      throw error;
    });
  }
  return configPromise;
}

/** The side panel: progress while queued and graded, then the score and the feedback page. */
class FeedbackPanel extends Widget {
  private status: HTMLElement;
  private score: HTMLElement;
  private table: HTMLElement;
  private frame: HTMLIFrameElement;

  constructor() {
    super();
    this.id = 'autograder-feedback';
    this.addClass('jp-autograder-panel');
    this.title.label = '评分反馈';
    this.title.caption = '自动评分的结果（feedback）';
    this.title.closable = true;
    this.status = document.createElement('div');
    this.status.className = 'jp-autograder-status';
    this.status.textContent = '还没有提交。';
    this.score = document.createElement('div');
    this.score.className = 'jp-autograder-score';
    this.table = document.createElement('div');
    this.table.className = 'jp-autograder-summary';
    this.frame = document.createElement('iframe');
    this.frame.className = 'jp-autograder-page';
    this.frame.setAttribute('sandbox', '');   // the page is shown, never run
    this.frame.title = '评分反馈页面';
    for (const part of [this.status, this.score, this.table, this.frame]) {
      this.node.appendChild(part);
    }
  }

  progress(text: string): void {
    this.status.textContent = text;
    this.status.classList.remove('jp-autograder-error');
    this.status.classList.add('jp-autograder-busy');
    this.score.textContent = '';
    this.table.textContent = '';
    this.frame.srcdoc = '';
    this.frame.style.display = 'none';
  }

  failed(text: string): void {
    this.status.textContent = text;
    this.status.classList.remove('jp-autograder-busy');
    this.status.classList.add('jp-autograder-error');
  }

  showResult(result: ISubmission, what: string): void {
    this.status.classList.remove('jp-autograder-busy');
    if (result.status === 'error') {
      this.failed(`无法评分：${result.error || '未知原因'}`);
    } else {
      this.status.classList.remove('jp-autograder-error');
      let text = `${what}完成。`;
      if (result.late) {
        text += '（这份提交晚于截止日期，按迟交处理。）';
      }
      if (result.messages_shown === false) {
        text +=
          result.visibility === 'after_due_date'
            ? '详细信息在截止日期后显示。'
            : '老师设置为只显示分数。';
      }
      this.status.textContent = text;
    }
    this.score.textContent = `得分：${result.score ?? 0} / ${result.max_score ?? 0}`;
    this.table.textContent = '';
    const table = document.createElement('table');
    for (const line of result.summary || []) {
      const row = table.insertRow();
      const full = line.score === line.max_score;
      row.className = full ? 'jp-autograder-pass' : 'jp-autograder-fail';
      row.insertCell().textContent = full ? '✓' : '✗';
      row.insertCell().textContent = line.function;
      row.insertCell().textContent = `${line.score} / ${line.max_score}`;
    }
    this.table.appendChild(table);
    if (result.feedback_html) {
      this.frame.srcdoc = result.feedback_html;
      this.frame.style.display = '';
    }
  }
}

function isAssignment(model: INotebookModel | null): boolean {
  if (!model) {
    return false;
  }
  for (let i = 0; i < model.cells.length; i++) {
    if (model.cells.get(i).getMetadata('nbgrader')) {
      return true;
    }
  }
  return false;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function submitAndGrade(
  context: DocumentRegistry.IContext<INotebookModel>,
  panel: FeedbackPanel
): Promise<void> {
  panel.progress('正在保存笔记本…');
  await context.save();
  panel.progress('正在提交…');
  let state = await request<ISubmission>('submit', {
    method: 'POST',
    body: JSON.stringify({ path: context.path })
  });
  const id = state.id as string;
  for (let round = 0; state.state !== 'done'; round++) {
    panel.progress(
      state.state === 'queued'
        ? `已提交，正在排队（前面还有 ${state.position ?? 0} 份）…`
        : '正在评分…'
    );
    try {
      state = await request<ISubmission>(`submissions/${id}`);
    } catch (error) {
      if (round > 600) {
        throw error;
      }
      await sleep(2000); // the service restarting: the submission is kept, ask again
    }
  }
  panel.showResult(state, '评分');
}

async function checkLocally(
  context: DocumentRegistry.IContext<INotebookModel>,
  panel: FeedbackPanel
): Promise<void> {
  panel.progress('正在保存笔记本…');
  await context.save();
  panel.progress('正在检查（在沙箱里运行你的代码）…');
  const result = await request<ISubmission>('check', {
    method: 'POST',
    body: JSON.stringify({ path: context.path })
  });
  panel.showResult(result, '检查');
}

class Buttons
  implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel>
{
  constructor(
    private app: JupyterFrontEnd,
    private panel: () => FeedbackPanel
  ) {}

  createNew(
    widget: NotebookPanel,
    context: DocumentRegistry.IContext<INotebookModel>
  ): void {
    void Promise.all([context.ready, config()])
      .then(([, settings]) => {
        if (widget.isDisposed || !isAssignment(context.model)) {
          return;
        }
        const service = settings.mode === 'service';
        const run = async () => {
          const panel = this.panel();
          this.app.shell.activateById(panel.id);
          try {
            await (service ? submitAndGrade : checkLocally)(context, panel);
          } catch (error) {
            panel.failed(
              `${service ? '提交' : '检查'}没有完成：${(error as Error).message}`
            );
          }
        };
        const button = new ToolbarButton({
          className: service ? 'jp-autograder-submit' : 'jp-autograder-check',
          label: service ? '提交并评分' : '检查',
          tooltip: service
            ? '保存并提交这份作业，评分后在右侧显示反馈'
            : '保存并在本机检查这份作业（autograder check）',
          onClick: () => void run()
        });
        widget.toolbar.insertItem(10, 'autograder', button);
      })
      .catch(error =>
        console.warn('autograder: the server extension did not answer', error)
      );
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'autograder-lab:plugin',
  description: 'Submit and grade (提交并评分) or check (检查) an assignment, feedback in a side panel.',
  autoStart: true,
  activate: (app: JupyterFrontEnd) => {
    let panel: FeedbackPanel | null = null;
    const getPanel = () => {
      if (!panel || panel.isDisposed) {
        panel = new FeedbackPanel();
        app.shell.add(panel, 'right', { rank: 900 });
      }
      return panel;
    };
    app.docRegistry.addWidgetExtension('Notebook', new Buttons(app, getPanel));
  }
};

export default plugin;
